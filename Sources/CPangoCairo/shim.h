/*
 * The part of pango's C API (1.44 and later) that FederRender uses, declared here instead of including
 * <pango/pangocairo.h>: pango's headers need its pkg-config flags, and those carry a `-pthread` (through gio and
 * gmodule) that SwiftPM refuses with a warning on every build. The libraries are linked by name (module.modulemap).
 * PangoCairoShimTests compiles these declarations against the installed headers, so a mismatch cannot pass.
 */
#ifndef FEDER_PANGO_CAIRO_SHIM_H
#define FEDER_PANGO_CAIRO_SHIM_H

#include <cairo.h>

typedef int gboolean;
typedef void *gpointer;

typedef struct _PangoLayout PangoLayout;
typedef struct _PangoLayoutIter PangoLayoutIter;
typedef struct _PangoLayoutLine PangoLayoutLine;
typedef struct _PangoContext PangoContext;
typedef struct _PangoFontDescription PangoFontDescription;

#ifndef FEDER_PANGO_SHIM_DECLARATIONS_ONLY
#define PANGO_SCALE 1024

typedef struct _PangoRectangle PangoRectangle;
struct _PangoRectangle {
    int x;
    int y;
    int width;
    int height;
};

typedef enum { PANGO_ALIGN_LEFT, PANGO_ALIGN_CENTER, PANGO_ALIGN_RIGHT } PangoAlignment;
typedef enum { PANGO_WRAP_WORD, PANGO_WRAP_CHAR, PANGO_WRAP_WORD_CHAR } PangoWrapMode;
typedef enum { PANGO_ELLIPSIZE_NONE, PANGO_ELLIPSIZE_START, PANGO_ELLIPSIZE_MIDDLE, PANGO_ELLIPSIZE_END } PangoEllipsizeMode;
#endif

extern void pango_layout_set_alignment(PangoLayout *layout, PangoAlignment alignment);
extern int pango_layout_get_line_count(PangoLayout *layout);
extern void pango_layout_set_wrap(PangoLayout *layout, PangoWrapMode wrap);
extern void pango_layout_set_width(PangoLayout *layout, int width);
extern void pango_layout_set_text(PangoLayout *layout, const char *text, int length);
extern void pango_layout_set_height(PangoLayout *layout, int height);
extern void pango_layout_set_font_description(PangoLayout *layout, const PangoFontDescription *desc);
extern void pango_layout_set_ellipsize(PangoLayout *layout, PangoEllipsizeMode ellipsize);
extern int pango_layout_line_get_start_index(PangoLayoutLine *line);
extern int pango_layout_line_get_length(PangoLayoutLine *line);
extern gboolean pango_layout_iter_next_line(PangoLayoutIter *iter);
extern PangoLayoutLine *pango_layout_iter_get_line_readonly(PangoLayoutIter *iter);
extern void pango_layout_iter_get_line_extents(PangoLayoutIter *iter, PangoRectangle *ink_rect, PangoRectangle *logical_rect);
extern int pango_layout_iter_get_baseline(PangoLayoutIter *iter);
extern void pango_layout_iter_free(PangoLayoutIter *iter);
extern gboolean pango_layout_is_ellipsized(PangoLayout *layout);
extern void pango_layout_get_size(PangoLayout *layout, int *width, int *height);
extern PangoLayoutIter *pango_layout_get_iter(PangoLayout *layout);
extern void pango_layout_get_extents(PangoLayout *layout, PangoRectangle *ink_rect, PangoRectangle *logical_rect);
extern PangoContext *pango_layout_get_context(PangoLayout *layout);
extern void pango_layout_context_changed(PangoLayout *layout);
extern void pango_font_description_set_absolute_size(PangoFontDescription *desc, double size);
extern PangoFontDescription *pango_font_description_from_string(const char *str);
extern void pango_font_description_free(PangoFontDescription *desc);
extern void pango_cairo_show_layout(cairo_t *cr, PangoLayout *layout);
extern PangoLayout *pango_cairo_create_layout(cairo_t *cr);
extern void pango_cairo_context_set_resolution(PangoContext *context, double dpi);
extern void g_object_unref(gpointer object);

#endif
