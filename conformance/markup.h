/* Text into XML and HTML reports (JUnit, the direction-2 HTML report). */
#ifndef IKELAB_CONFORM_MARKUP_H
#define IKELAB_CONFORM_MARKUP_H

#include <stdio.h>

/* Writes s with <, >, & and " escaped. */
void markup_text(FILE *f, const char *s);

#endif
