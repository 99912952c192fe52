/* vgic_version.h: the version of the vgic core's public API, for consumers of the installed library.
 * The Makefile reads these three numbers; the shared library's SONAME is libvgic.so.VGIC_VERSION_MAJOR. */
#ifndef VGIC_VERSION_H
#define VGIC_VERSION_H

#define VGIC_VERSION_MAJOR 0
#define VGIC_VERSION_MINOR 5
#define VGIC_VERSION_PATCH 0
/* One number that compares in order: 0x00MMmmpp. */
#define VGIC_VERSION ((VGIC_VERSION_MAJOR << 16) | (VGIC_VERSION_MINOR << 8) | VGIC_VERSION_PATCH)

#endif
