/* vgic_export.h: VGIC_API marks the functions the installed libraries export.
 * The shared library is built with -fvisibility=hidden, so everything without this mark stays internal. */
#ifndef VGIC_EXPORT_H
#define VGIC_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define VGIC_API __attribute__((visibility("default")))
#else
#define VGIC_API
#endif

#endif
