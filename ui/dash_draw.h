/* dash_draw.h - puts the model on the curses screen: lays out the
 * regions, has the visible lines formatted and blits them. */
#ifndef TETHER_DASH_DRAW_H
#define TETHER_DASH_DRAW_H

#include "dash_crt.h"
#include "dash_model.h"

/* Draws the whole screen into curses' buffer (werase, the regions,
 * wnoutrefresh) and sends the difference to the terminal (doupdate).
 * Only the rows in view are formatted. Also tells the model its page. */
void tt_draw(tt_crt *crt, tt_dash_model *m, const char *source);

#endif
