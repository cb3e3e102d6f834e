/*
 * The target description GDB and LLDB read with qXfer:features:read:
 * target.xml names the architecture and includes one file per feature;
 * each feature file lists its registers from gdbreg_table (regnum = table
 * index) after the types GDB's standard feature files define.
 */
#include "gdbstub/target_xml.h"
#include "gdbstub/gdbreg.h"
#include "gdbstub/bytes.h"

struct target_xml_feature {
	const char *annex;	/* file name GDB asks for */
	const char *name;	/* feature name GDB matches */
	const char *types;	/* type definitions its registers use */
};

static const char target_xml_eflags[] =
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"CF\" start=\"0\" end=\"0\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/>"
	"<field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/>"
	"<field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/>"
	"<field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/>"
	"<field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/>"
	"<field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/>"
	"<field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/>"
	"<field name=\"VIP\" start=\"20\" end=\"20\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>"
	"</flags>\n";

static const char target_xml_sse[] =
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\">"
	"<field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/>"
	"<field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v8_int16\" type=\"v8i16\"/>"
	"<field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/>"
	"<field name=\"uint128\" type=\"uint128\"/>"
	"</union>\n"
	"<flags id=\"i386_mxcsr\" size=\"4\">"
	"<field name=\"IE\" start=\"0\" end=\"0\"/>"
	"<field name=\"DE\" start=\"1\" end=\"1\"/>"
	"<field name=\"ZE\" start=\"2\" end=\"2\"/>"
	"<field name=\"OE\" start=\"3\" end=\"3\"/>"
	"<field name=\"UE\" start=\"4\" end=\"4\"/>"
	"<field name=\"PE\" start=\"5\" end=\"5\"/>"
	"<field name=\"DAZ\" start=\"6\" end=\"6\"/>"
	"<field name=\"IM\" start=\"7\" end=\"7\"/>"
	"<field name=\"DM\" start=\"8\" end=\"8\"/>"
	"<field name=\"ZM\" start=\"9\" end=\"9\"/>"
	"<field name=\"OM\" start=\"10\" end=\"10\"/>"
	"<field name=\"UM\" start=\"11\" end=\"11\"/>"
	"<field name=\"PM\" start=\"12\" end=\"12\"/>"
	"<field name=\"FZ\" start=\"15\" end=\"15\"/>"
	"</flags>\n";

static const struct target_xml_feature target_xml_features[GDBREG_F_COUNT] = {
	[GDBREG_F_CORE] = { "64bit-core.xml", "org.gnu.gdb.i386.core",
			    target_xml_eflags },
	[GDBREG_F_SSE] = { "64bit-sse.xml", "org.gnu.gdb.i386.sse",
			   target_xml_sse },
	[GDBREG_F_SEGMENTS] = { "64bit-segments.xml",
				"org.gnu.gdb.i386.segments", "" },
	[GDBREG_F_SYSTEM] = { "loupe-system.xml", "org.loupe.system", "" },
};

static void target_xml_top(struct xfer *x)
{
	xfer_put(x, "<?xml version=\"1.0\"?>\n"
		    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		    "<target version=\"1.0\">\n"
		    "<architecture>i386:x86-64</architecture>\n");
	for (int f = 0; f < GDBREG_F_COUNT; f++) {
		xfer_put(x, "<xi:include href=\"");
		xfer_put(x, target_xml_features[f].annex);
		xfer_put(x, "\"/>\n");
	}
	xfer_put(x, "</target>\n");
}

static void target_xml_reg(struct xfer *x, int regno)
{
	const struct gdbreg_desc *d = &gdbreg_table[regno];

	xfer_put(x, "<reg name=\"");
	xfer_put(x, d->name);
	xfer_put(x, "\" bitsize=\"");
	xfer_put_dec(x, d->bits);
	xfer_put(x, "\" type=\"");
	xfer_put(x, d->type);
	xfer_put(x, "\" group=\"");
	xfer_put(x, d->group);
	xfer_put(x, "\" regnum=\"");
	xfer_put_dec(x, (uint64_t)regno);
	xfer_put(x, "\"/>\n");
}

static void target_xml_feature(struct xfer *x, int f)
{
	xfer_put(x, "<?xml version=\"1.0\"?>\n"
		    "<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
		    "<feature name=\"");
	xfer_put(x, target_xml_features[f].name);
	xfer_put(x, "\">\n");
	xfer_put(x, target_xml_features[f].types);
	for (int i = 0; i < GDBREG_COUNT; i++) {
		if (gdbreg_table[i].feature == f)
			target_xml_reg(x, i);
	}
	xfer_put(x, "</feature>\n");
}

/*
 * Render the document named by @annex into @x.
 * Returns false for a name we do not serve.
 */
bool target_xml_render(struct xfer *x, const uint8_t *annex, size_t len)
{
	if (bytes_equal(annex, len, "target.xml")) {
		target_xml_top(x);
		return true;
	}
	for (int f = 0; f < GDBREG_F_COUNT; f++) {
		if (bytes_equal(annex, len, target_xml_features[f].annex)) {
			target_xml_feature(x, f);
			return true;
		}
	}
	return false;
}
