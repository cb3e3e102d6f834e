/*
 * Our target description: target.xml plus one included file per feature,
 * all rendered from gdbreg_table so the XML, the `g` layout and the `p`
 * numbers cannot disagree.
 */
#ifndef GDBSTUB_TARGET_XML_H
#define GDBSTUB_TARGET_XML_H

#include "types.h"
#include "gdbstub/xfer.h"

bool target_xml_render(struct xfer *x, const uint8_t *annex, size_t len);

#endif
