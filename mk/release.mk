# release.mk: the core as an installable library: release builds without sanitizers, the export check,
# pkg-config files, `make install`/`make uninstall` and `make test-install`. Included by the top-level Makefile.
#
#   make install   [PREFIX=/usr/local] [DESTDIR=]  headers, libvgic.a, libvgic.so.MAJOR, the freestanding
#                  aarch64 libvgic-freestanding.a and the pkg-config files vgic.pc / vgic-freestanding.pc
#   make uninstall [PREFIX=...] [DESTDIR=...]      remove exactly those files
#   make test-install  install into a temporary DESTDIR, build examples/ from there and run it (in make test)

PREFIX     ?= /usr/local
DESTDIR    ?=
MULTIARCH  := $(shell $(HOST_CC) -print-multiarch 2>/dev/null)
LIBDIR     ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
INCLUDEDIR ?= $(PREFIX)/include
# The freestanding aarch64 core goes under the aarch64 multiarch directory, for cross-built EL2 hypervisors.
A64_MULTIARCH := aarch64-linux-gnu
A64_LIBDIR ?= $(PREFIX)/lib/$(A64_MULTIARCH)

version_field = $(shell sed -n 's/^\#define VGIC_VERSION_$(1) \([0-9][0-9]*\).*/\1/p' vgic/vgic_version.h)
VGIC_MAJOR   := $(call version_field,MAJOR)
VGIC_VERSION := $(VGIC_MAJOR).$(call version_field,MINOR).$(call version_field,PATCH)

REL_DIR    := $(BUILD)/release
REL_OBJS   := $(patsubst vgic/%.c,$(REL_DIR)/obj/%.o,$(VGIC_SRCS))
REL_A      := $(REL_DIR)/libvgic.a
REL_SONAME := libvgic.so.$(VGIC_MAJOR)
REL_SO     := $(REL_DIR)/libvgic.so.$(VGIC_VERSION)
REL_CHECKED := $(REL_DIR)/.exports-ok
# Only these functions are exported from the shared library: the ones the public headers mark VGIC_API.
REL_CFLAGS := -std=c11 -O2 -g -fPIC -fvisibility=hidden -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes $(INCLUDES)

# What `make install` puts under include/vgic/. Everything else in vgic/ is internal.
PUBLIC_HDRS := vgic/vgic.h vgic/vgic_its.h vgic/vgic_export.h vgic/vgic_version.h vgic/vgic_hooks.h vgic/lr_backend.h \
               vgic/icv_model.h vgic/ich_regs.h include/irq_line.h include/irq_msg.h include/hv_errno.h

.PHONY: release install uninstall test-install check-exports
release: $(REL_A) $(REL_SO) $(REL_DIR)/vgic.pc $(REL_DIR)/vgic-freestanding.pc
check-exports: $(REL_CHECKED)
all: release check-exports

$(REL_DIR)/obj/%.o: vgic/%.c Makefile mk/release.mk
	@mkdir -p $(@D)
	$(HOST_CC) $(REL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(REL_A): $(REL_OBJS) $(SRCLIST_STAMP)
	@rm -f $@
	$(HOST_AR) rcs $@ $(REL_OBJS)

# -z defs: the library must say every symbol it needs (libc only), so a consumer never meets a surprise.
$(REL_SO): $(REL_OBJS) $(SRCLIST_STAMP)
	$(HOST_CC) -shared -Wl,-soname,$(REL_SONAME) -Wl,-z,defs -o $@ $(REL_OBJS)
	ln -sf $(notdir $@) $(REL_DIR)/$(REL_SONAME)
	ln -sf $(REL_SONAME) $(REL_DIR)/libvgic.so

# The pkg-config files name the installed paths; DESTDIR is not part of them.
$(REL_DIR)/%.pc: mk/%.pc.in vgic/vgic_version.h mk/release.mk
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@A64_LIBDIR@|$(A64_LIBDIR)|g' -e 's|@VERSION@|$(VGIC_VERSION)|g' $< > $@

# The PREFIX baked into the .pc files must be the one installed with: rebuild them when it changes.
REL_PREFIX_STAMP := $(REL_DIR)/.prefix
ifneq ($(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(A64_LIBDIR),$(file <$(REL_PREFIX_STAMP)))
$(shell mkdir -p $(REL_DIR))
$(file >$(REL_PREFIX_STAMP),$(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(A64_LIBDIR))
endif
$(REL_DIR)/vgic.pc $(REL_DIR)/vgic-freestanding.pc: $(REL_PREFIX_STAMP)

# No global symbol outside vgic_/irq_/lr_/icv_ in any library, and the shared one exports exactly
# the VGIC_API functions of the public headers.
$(REL_CHECKED): $(REL_A) $(REL_SO) $(A64_LIB) $(PUBLIC_HDRS) scripts/check-exports.sh
	bash scripts/check-exports.sh --static nm $(REL_A)
	bash scripts/check-exports.sh --static $(A64_NM) $(A64_LIB)
	bash scripts/check-exports.sh --shared nm $(REL_SO) $(PUBLIC_HDRS)
	@touch $@

install: release check-exports $(A64_LIB) $(A64_CHECKED)
	install -d $(DESTDIR)$(INCLUDEDIR)/vgic $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(A64_LIBDIR)/pkgconfig
	install -m 0644 $(PUBLIC_HDRS) $(DESTDIR)$(INCLUDEDIR)/vgic/
	install -m 0644 $(REL_A) $(DESTDIR)$(LIBDIR)/libvgic.a
	install -m 0755 $(REL_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(REL_SO)) $(DESTDIR)$(LIBDIR)/$(REL_SONAME)
	ln -sf $(REL_SONAME) $(DESTDIR)$(LIBDIR)/libvgic.so
	install -m 0644 $(REL_DIR)/vgic.pc $(DESTDIR)$(LIBDIR)/pkgconfig/vgic.pc
	install -m 0644 $(A64_LIB) $(DESTDIR)$(A64_LIBDIR)/libvgic-freestanding.a
	install -m 0644 $(REL_DIR)/vgic-freestanding.pc $(DESTDIR)$(A64_LIBDIR)/pkgconfig/vgic-freestanding.pc

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/vgic/,$(notdir $(PUBLIC_HDRS)))
	rm -f $(DESTDIR)$(LIBDIR)/libvgic.a $(DESTDIR)$(LIBDIR)/libvgic.so $(DESTDIR)$(LIBDIR)/$(REL_SONAME) \
	      $(DESTDIR)$(LIBDIR)/$(notdir $(REL_SO)) $(DESTDIR)$(LIBDIR)/pkgconfig/vgic.pc \
	      $(DESTDIR)$(A64_LIBDIR)/libvgic-freestanding.a $(DESTDIR)$(A64_LIBDIR)/pkgconfig/vgic-freestanding.pc
	-rmdir $(DESTDIR)$(INCLUDEDIR)/vgic 2>/dev/null

test-install: release check-exports $(A64_LIB)
	bash scripts/test-install.sh

-include $(REL_OBJS:.o=.d)
