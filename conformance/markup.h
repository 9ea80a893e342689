/* Text for the reports: escaped into XML and HTML (JUnit, the direction-2
 * HTML report), and appended to the fixed buffers of a case's result. */
#ifndef IKELAB_CONFORM_MARKUP_H
#define IKELAB_CONFORM_MARKUP_H

#include <stddef.h>
#include <stdio.h>

/* Writes s with <, >, & and " escaped. */
void markup_text(FILE *f, const char *s);
/* Appends printf-style to the string in buf (len bytes); cut to fit. */
void text_add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
