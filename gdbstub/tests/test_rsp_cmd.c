/*
 * Host tests of every RSP command the engine answers, against the fake
 * target: each sends one well-formed (or deliberately bad) packet and
 * checks the exact reply payload and what the target was asked to do.
 */
#include "tests/harness.h"
#include "gdbstub/tests/fake_target.h"

static struct fake_target f;
static char reply[0x8000];

/* Send @payload framed; return the unframed reply ("" for none). */
static const char *ask(const char *payload)
{
	fake_out_clear(&f);
	fake_feed(&f, fake_pkt(payload));
	reply[0] = '\0';
	if (fake_unframe(f.out, reply, sizeof(reply)) == (size_t)-1)
		strcpy(reply, "<no reply>");
	return reply;
}

static bool is(const char *payload, const char *expect)
{
	const char *got = ask(payload);

	if (strcmp(got, expect))
		fprintf(stderr, "%s -> \"%.200s\", expected \"%s\"\n",
			payload, got, expect);
	return !strcmp(got, expect);
}

TEST(qsupported)
{
	fake_init(&f);
	f.nbp = 1;
	CHECK(is("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386",
		 "PacketSize=4000;qXfer:features:read+;qXfer:threads:read+;"
		 "QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+"));
	CHECK_EQ(f.resets, 1);
	CHECK_EQ(f.nbp, 0);
}

TEST(empty_for_unknown)
{
	static const char *const probes[] = {
		"vMustReplyEmpty", "qHostInfo", "qProcessInfo", "jThreadsInfo",
		"x0,0", "qMemoryRegionInfo:1000", "QThreadSuffixSupported",
		"QListThreadsInStopReply", "qOffsets", "qTStatus", "vFile:open:",
		"qWatchpointSupportInfo:", "qGetTLSAddr:1,0,0", "!", "vRun;",
		"qfProcessInfo", "QEnableErrorStrings", "Z5,1000,1",
		"vCtrlC", "vAttach;1", "qThreadStopInfo1", "i", "b9600",
	};

	fake_init(&f);
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		CHECK(is(probes[i], ""));
}

TEST(stop_reply_query)
{
	fake_init(&f);
	CHECK(is("?", "T05thread:1;core:0;"));
}

TEST(stop_reply_kinds)
{
	static const struct {
		struct gdbstub_stop stop;
		const char *reply;
	} cases[] = {
		{ { 5, 1, 0, GDBSTUB_STOP_SWBREAK, 0 }, "T05thread:1;core:0;swbreak:;" },
		{ { 5, 3, 1, GDBSTUB_STOP_HWBREAK, 0 }, "T05thread:3;core:1;hwbreak:;" },
		{ { 5, 3, 1, GDBSTUB_STOP_WATCH, 0x2000 }, "T05thread:3;core:1;watch:2000;" },
		{ { 5, 1, 0, GDBSTUB_STOP_RWATCH, 0x10 }, "T05thread:1;core:0;rwatch:10;" },
		{ { 5, 1, 0, GDBSTUB_STOP_AWATCH, 0xffffffff80001000 },
		  "T05thread:1;core:0;awatch:ffffffff80001000;" },
		{ { 6, 2, -1, GDBSTUB_STOP_NONE, 0 }, "T06thread:2;" },
		{ { 0x0b, 1, 0xf, GDBSTUB_STOP_NONE, 0 }, "T0bthread:1;core:f;" },
		{ { 2, 0x1a, 0, GDBSTUB_STOP_NONE, 0 }, "T02thread:1a;core:0;" },
	};

	fake_init(&f);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		f.stop = cases[i].stop;
		CHECK(is("?", cases[i].reply));
	}
}

TEST(target_xml)
{
	fake_init(&f);
	ask("qXfer:features:read:target.xml:0,3fff");
	CHECK(reply[0] == 'l');
	CHECK(strstr(reply, "<architecture>i386:x86-64</architecture>"));
	CHECK(strstr(reply, "<xi:include href=\"64bit-core.xml\"/>"));
	CHECK(strstr(reply, "<xi:include href=\"loupe-system.xml\"/>"));
}

/* Read @annex in @chunk-byte windows; the pieces must equal one read. */
static bool windows_agree(const char *annex, unsigned int chunk)
{
	static char whole[0x4000], pieces[0x4000];
	char q[128];
	size_t n = 0;

	snprintf(q, sizeof(q), "qXfer:features:read:%s:0,3fff", annex);
	snprintf(whole, sizeof(whole), "%s", ask(q) + 1);
	for (unsigned int off = 0;; off += chunk) {
		snprintf(q, sizeof(q), "qXfer:features:read:%s:%x,%x", annex,
			 off, chunk);
		ask(q);
		if (reply[0] != 'm' && reply[0] != 'l')
			return false;
		memcpy(pieces + n, reply + 1, strlen(reply + 1));
		n += strlen(reply + 1);
		if (reply[0] == 'l')
			break;
		if (strlen(reply + 1) != chunk)
			return false;
	}
	pieces[n] = '\0';
	return !strcmp(whole, pieces);
}

TEST(xfer_windows)
{
	fake_init(&f);
	CHECK(windows_agree("target.xml", 0x10));
	CHECK(windows_agree("64bit-core.xml", 0x100));
	CHECK(windows_agree("64bit-sse.xml", 0x7));
	CHECK(windows_agree("loupe-system.xml", 0x1));
	CHECK(is("qXfer:features:read:target.xml:10000,100", "l"));
	CHECK(is("qXfer:features:read:target.xml:0,0", "m"));
	CHECK(is("qXfer:features:read:nope.xml:0,100", "E00"));
	CHECK(is("qXfer:features:read:target.xml:0", "E22"));
	CHECK(is("qXfer:features:read:target.xml", "E22"));
}

TEST(feature_files)
{
	fake_init(&f);
	ask("qXfer:features:read:64bit-core.xml:0,3fff");
	CHECK(strstr(reply, "<feature name=\"org.gnu.gdb.i386.core\">"));
	CHECK(strstr(reply, "<reg name=\"rax\" bitsize=\"64\" type=\"int64\" "
			    "group=\"general\" regnum=\"0\"/>"));
	CHECK(strstr(reply, "<reg name=\"eflags\" bitsize=\"32\" "
			    "type=\"i386_eflags\""));
	CHECK(strstr(reply, "<reg name=\"gs\" bitsize=\"32\""));
	CHECK(strstr(reply, "<reg name=\"st7\" bitsize=\"80\""));
	CHECK(strstr(reply, "name=\"fop\" bitsize=\"32\" type=\"int\" "
			    "group=\"float\" regnum=\"39\""));
	ask("qXfer:features:read:64bit-sse.xml:0,3fff");
	CHECK(strstr(reply, "<union id=\"vec128\">"));
	CHECK(strstr(reply, "name=\"xmm0\" bitsize=\"128\" type=\"vec128\" "
			    "group=\"vector\" regnum=\"40\""));
	CHECK(strstr(reply, "name=\"mxcsr\" bitsize=\"32\""));
	ask("qXfer:features:read:64bit-segments.xml:0,3fff");
	CHECK(strstr(reply, "name=\"fs_base\" bitsize=\"64\""));
	ask("qXfer:features:read:loupe-system.xml:0,3fff");
	CHECK(strstr(reply, "<feature name=\"org.loupe.system\">"));
	CHECK(strstr(reply, "name=\"kernel_gs_base\""));
	CHECK(strstr(reply, "name=\"dr7\" bitsize=\"64\" type=\"int64\" "
			    "group=\"system\" regnum=\"73\""));
}

TEST(xfer_threads)
{
	fake_init(&f);
	ask("qXfer:threads:read::0,3fff");
	CHECK(reply[0] == 'l');
	CHECK(strstr(reply, "<threads>\n<thread id=\"1\" core=\"0\" "
			    "name=\"idle\">running</thread>\n"));
	CHECK(strstr(reply, "<thread id=\"2\" name=\"init\">sleeping</thread>"));
	CHECK(strstr(reply, "name=\"k&lt;w&amp;r&gt;#*\""));
	CHECK(is("qXfer:threads:read:foo:0,10", "E22"));
	ask("qXfer:threads:read::0,10");
	CHECK(reply[0] == 'm' && strlen(reply) == 0x11);
}

TEST(regs_all)
{
	fake_init(&f);
	ask("g");
	CHECK_EQ(strlen(reply), 2 * GDBREG_IMAGE_SIZE);
	CHECK(!strncmp(reply, "8877665544332211", 16));
	CHECK(!strncmp(reply + 16 * 16, "0010000000000000", 16));
	CHECK(!strncmp(reply + 17 * 16, "11110000", 8));
}

TEST(regs_unavailable_are_xx)
{
	fake_init(&f);
	CHECK(is("Hg2", "OK"));
	ask("g");
	CHECK_EQ(strlen(reply), 2 * GDBREG_IMAGE_SIZE);
	CHECK(!strncmp(reply, "xxxxxxxxxxxxxxxx0022000000000000", 32));
	CHECK(!strncmp(reply + 17 * 16, "xxxxxxxx", 8));
	CHECK(is("p0", "xxxxxxxxxxxxxxxx"));
	CHECK(is("p1", "0022000000000000"));
	CHECK(is("p28", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
}

TEST(regs_one)
{
	fake_init(&f);
	CHECK(is("p10", "0010000000000000"));
	CHECK(is("p11", "11110000"));
	CHECK(is("p18", "18110000000000000000"));
	CHECK(is("p49", "4911000000000000"));
	CHECK(is("p4a", "E22"));
	CHECK(is("pffffffffffffffffff", "E22"));
	CHECK(is("p", "E22"));
}

TEST(regs_write_one)
{
	uint64_t v;

	fake_init(&f);
	CHECK(is("P0=efbeadde00000000", "OK"));
	CHECK(gdbreg_get_u64(&f.regs[0], GDBREG_RAX, &v));
	CHECK_EQ(v, 0xdeadbeef);
	CHECK(is("Hg2", "OK"));
	CHECK(is("P0=0100000000000000", "OK"));
	CHECK(gdbreg_get_u64(&f.regs[1], GDBREG_RAX, &v));
	CHECK_EQ(v, 1);
	CHECK(is("P0=01", "E22"));
	CHECK(is("P0=010000000000000000", "E22"));
	CHECK(is("P0=zz00000000000000", "E22"));
	CHECK(is("P4a=0100000000000000", "E22"));
	CHECK(is("P0", "E22"));
}

TEST(regs_write_all)
{
	char g[2 * GDBREG_IMAGE_SIZE + 8];
	uint64_t v;

	fake_init(&f);
	CHECK(is("Hg3", "OK"));
	CHECK(is("G0100000000000000xxxxxxxxxxxxxxxx0300000000000000", "OK"));
	CHECK(gdbreg_get_u64(&f.regs[2], GDBREG_RAX, &v));
	CHECK_EQ(v, 1);
	CHECK(gdbreg_get_u64(&f.regs[2], GDBREG_RBX, &v));
	CHECK_EQ(v, 0x1101);
	CHECK(gdbreg_get_u64(&f.regs[2], GDBREG_RCX, &v));
	CHECK_EQ(v, 3);
	snprintf(g, sizeof(g), "G%s", ask("g"));
	CHECK(is(g, "OK"));
	strcat(g, "00");
	CHECK(is(g, "E22"));
	CHECK(is("G01", "E22"));
}

TEST(mem_read)
{
	fake_init(&f);
	CHECK(is("m1000,4", "deadbeef"));
	CHECK(is("m2ffe,4", "feff"));
	CHECK(is("m3000,4", "E14"));
	CHECK(is("m0,1", "E14"));
	CHECK(is("m1000,0", ""));
	CHECK(is("mffffffffffffffff,10", "E14"));
	CHECK(is("m1000", "E22"));
	CHECK(is("m,4", "E22"));
	CHECK(is("m1000,4,", "E22"));
}

TEST(mem_read_large)
{
	fake_init(&f);
	ask("m1000,1000");
	CHECK_EQ(strlen(reply), 0x2000);
	CHECK(!strncmp(reply + 2 * 0xfff, "ff", 2));
	/* Clamped to what a reply can carry, never an overflow. */
	ask("m1000,100000");
	CHECK_EQ(strlen(reply), 0x4000);
}

TEST(mem_write_hex)
{
	fake_init(&f);
	CHECK(is("M1000,2:abcd", "OK"));
	CHECK_EQ(f.mem[0], 0xab);
	CHECK_EQ(f.mem[1], 0xcd);
	CHECK(is("M1ffe,4:00000000", "E14"));
	CHECK(is("M2000,1:00", "E14"));
	CHECK(is("M1000,2:abc", "E22"));
	CHECK(is("M1000,2:abcdef", "E22"));
	CHECK(is("M1000,2:zzzz", "E22"));
	CHECK(is("M1000,0:", "OK"));
	CHECK(is("M1000,2", "E22"));
}

TEST(mem_write_binary)
{
	fake_init(&f);
	CHECK(is("X1000,0:", "OK"));
	CHECK(is("X1000,3:abc", "OK"));
	CHECK(!memcmp(f.mem, "abc", 3));
	CHECK(is("X1000,4:abc", "E22"));
	CHECK(is("X2000,1:a", "E14"));
	CHECK(is("X1000,1", "E22"));
}

TEST(breakpoints)
{
	fake_init(&f);
	CHECK(is("Z0,1000,1", "OK"));
	CHECK(is("Z0,1000,1", "OK"));
	CHECK_EQ(f.nbp, 1);
	CHECK(is("Z1,1004,1", "OK"));
	CHECK(is("Z2,2000,8", "OK"));
	CHECK(is("Z3,2008,4", "OK"));
	CHECK(is("Z4,2010,2", "OK"));
	CHECK(is("Z4,2020,1", "E28"));
	CHECK(is("Z2,2020,3", "E28"));
	CHECK_EQ(f.nbp, 5);
	CHECK_EQ(f.bp[2].type, GDBSTUB_WP_WRITE);
	CHECK_EQ(f.bp[2].kind, 8);
	CHECK(is("z4,2010,2", "OK"));
	CHECK(is("Z2,2020,3", "E22"));
	CHECK(is("z0,1000,1", "OK"));
	CHECK_EQ(f.nbp, 3);
	CHECK(is("Z0,1000", "E22"));
	CHECK(is("Z7,1000,1", ""));
	CHECK(is("Z0,1000,1;X2,ab", "E22"));
}

TEST(continue_and_step)
{
	fake_init(&f);
	CHECK_EQ(fake_feed(&f, fake_pkt("c")), RSP_EV_RESUME);
	CHECK(!strcmp(f.out, "+"));
	CHECK_EQ(f.nacts, 1);
	CHECK_EQ(f.acts[0].op, 'c');
	CHECK_EQ(f.acts[0].tid, GDBSTUB_TID_ALL);
	rsp_stopped(&f.rsp);
	CHECK(!strcmp(ask("s"), "<no reply>"));
	CHECK_EQ(f.acts[0].op, 's');
	CHECK_EQ(f.acts[0].tid, 1);
	rsp_stopped(&f.rsp);
	ask("C0b");
	CHECK_EQ(f.acts[0].op, 'c');
	CHECK_EQ(f.acts[0].signal, 0x0b);
	rsp_stopped(&f.rsp);
	ask("S05;1000");
	CHECK_EQ(f.acts[0].op, 's');
	CHECK_EQ(f.acts[0].signal, 5);
	rsp_stopped(&f.rsp);
	CHECK_EQ(f.resumes, 4);
	CHECK(is("Cxx", "E22"));
	CHECK(is("C100", "E22"));
	CHECK_EQ(f.resumes, 4);
}

TEST(continue_at_address)
{
	uint64_t v;

	fake_init(&f);
	CHECK(is("Hc3", "OK"));
	ask("c1234");
	CHECK_EQ(f.acts[0].tid, 3);
	CHECK(gdbreg_get_u64(&f.regs[2], GDBREG_RIP, &v));
	CHECK_EQ(v, 0x1234);
	rsp_stopped(&f.rsp);
	CHECK(is("c12x", "E22"));
}

TEST(stop_reply_after_resume)
{
	fake_init(&f);
	ask("vCont;c");
	f.stop = (struct gdbstub_stop){ 5, 3, 1, GDBSTUB_STOP_SWBREAK, 0 };
	fake_out_clear(&f);
	rsp_stopped(&f.rsp);
	CHECK(fake_out_is(&f, fake_pkt("T05thread:3;core:1;swbreak:;")));
	rsp_stopped(&f.rsp);
	CHECK(fake_out_is(&f, ""));
}

TEST(vcont)
{
	fake_init(&f);
	CHECK(is("vCont?", "vCont;c;C;s;S;t"));
	CHECK_EQ(fake_feed(&f, fake_pkt("vCont;s:1;c")), RSP_EV_RESUME);
	CHECK_EQ(f.nacts, 2);
	CHECK_EQ(f.acts[0].op, 's');
	CHECK_EQ(f.acts[0].tid, 1);
	CHECK_EQ(f.acts[1].op, 'c');
	CHECK_EQ(f.acts[1].tid, GDBSTUB_TID_ALL);
	rsp_stopped(&f.rsp);
	ask("vCont;C02:2;S0b:-1;t:3");
	CHECK_EQ(f.nacts, 3);
	CHECK_EQ(f.acts[0].signal, 2);
	CHECK_EQ(f.acts[0].tid, 2);
	CHECK_EQ(f.acts[1].op, 's');
	CHECK_EQ(f.acts[2].op, 't');
	rsp_stopped(&f.rsp);
	CHECK(is("vCont", "E22"));
	CHECK(is("vCont;", "E22"));
	CHECK(is("vCont;x", "E22"));
	CHECK(is("vCont;c:0", "E22"));
	CHECK(is("vCont;c:-2", "E22"));
	CHECK(is("vCont;c:", "E22"));
	CHECK(is("vCont;r1000,2000", "E22"));
	CHECK(is("vCont;c;c;c;c;c;c;c;c;c;c;c;c;c;c;c;c;c", "E07"));
	CHECK_EQ(f.resumes, 2);
}

TEST(set_thread)
{
	fake_init(&f);
	CHECK(is("Hg0", "OK"));
	CHECK(is("Hg-1", "OK"));
	CHECK(is("Hc-1", "OK"));
	CHECK(is("Hg3", "OK"));
	CHECK(is("Hg9", "E03"));
	CHECK(is("Hx1", "E22"));
	CHECK(is("H", "E22"));
	CHECK(is("Hg", "E22"));
	CHECK(is("Hg-5", "E22"));
	ask("qSupported");
	CHECK_EQ(f.rsp.g_tid, GDBSTUB_TID_ANY);
}

TEST(thread_queries)
{
	fake_init(&f);
	CHECK(is("T1", "OK"));
	CHECK(is("T3", "OK"));
	CHECK(is("T9", "E03"));
	CHECK(is("T0", "E22"));
	CHECK(is("Tz", "E22"));
	CHECK(is("qC", "QC1"));
	CHECK(is("qAttached", "1"));
	CHECK(is("qAttached:1", "1"));
	CHECK(is("qfThreadInfo", "m1,2,3"));
	CHECK(is("qsThreadInfo", "l"));
	CHECK(is("qsThreadInfo", "l"));
	CHECK(is("qfThreadInfo", "m1,2,3"));
	/* "sleeping" and "running, cpu 0x0" in hex. */
	CHECK(is("qThreadExtraInfo,2", "736c656570696e67"));
	CHECK(is("qThreadExtraInfo,1",
		 "72756e6e696e672c206370752030783" "0"));
	CHECK(is("qThreadExtraInfo,7", "E03"));
	CHECK(is("qThreadExtraInfo,", "E22"));
}

TEST(monitor)
{
	fake_init(&f);
	fake_feed(&f, fake_pkt("qRcmd,68656c70"));
	CHECK(!strcmp(f.last_monitor, "help"));
	CHECK(!strncmp(f.out, "+", 1));
	CHECK(!strncmp(f.out + 1, fake_pkt("O68656c70207461736b7320637075730a"),
		       strlen(f.out) - 7));
	CHECK(!strcmp(f.out + strlen(f.out) - 6, "$OK#9a"));
	fake_feed(&f, fake_pkt("qRcmd,6262"));
	CHECK(!strcmp(f.last_monitor, "bb"));
	CHECK(strstr(f.out, "$OK#9a"));
	CHECK(is("qRcmd,6", "E22"));
	CHECK(is("qRcmd,zz", "E22"));
	ask("qRcmd,");
	CHECK(strstr(f.out, "$OK#9a"));
	CHECK(!strcmp(f.last_monitor, ""));
}

TEST(monitor_too_long)
{
	char q[1200] = "qRcmd,";

	fake_init(&f);
	for (int i = 0; i < 500; i++)
		strcat(q, "41");
	CHECK(is(q, "E22"));
}

TEST(symbol_lookup)
{
	fake_init(&f);
	CHECK(is("qSymbol::", "OK"));
}

TEST(detach)
{
	fake_init(&f);
	f.nbp = 2;
	CHECK_EQ(fake_feed(&f, fake_pkt("D")), RSP_EV_DETACH);
	CHECK(fake_out_is(&f, "+$OK#9a"));
	CHECK_EQ(f.detaches, 1);
	CHECK_EQ(f.nbp, 0);
	/* Running again: the next packet is a break-in. */
	CHECK_EQ(fake_feed(&f, "$"), RSP_EV_INTERRUPT);
}

TEST(kill_is_detach)
{
	fake_init(&f);
	CHECK_EQ(fake_feed(&f, fake_pkt("k")), RSP_EV_DETACH);
	CHECK_EQ(f.detaches, 1);
	rsp_stopped(&f.rsp);
	CHECK_EQ(fake_feed(&f, fake_pkt("vKill;1")), RSP_EV_DETACH);
	CHECK_EQ(f.detaches, 2);
	rsp_stopped(&f.rsp);
	CHECK_EQ(fake_feed(&f, fake_pkt("D;1")), RSP_EV_DETACH);
	CHECK_EQ(f.detaches, 3);
}

TEST(gdb_handshake)
{
	/* What GDB 13 sends on `target remote`, in order. */
	fake_init(&f);
	CHECK(strstr(ask("qSupported:multiprocess+;swbreak+"), "PacketSize"));
	CHECK(is("vMustReplyEmpty", ""));
	CHECK(is("QStartNoAckMode", "OK"));
	CHECK(f.rsp.no_ack);
	CHECK(is("Hg0", "OK"));
	CHECK(ask("qXfer:features:read:target.xml:0,ffb")[0] == 'l');
	CHECK(is("qTStatus", ""));
	CHECK(is("?", "T05thread:1;core:0;"));
	CHECK(ask("qXfer:threads:read::0,ffb")[0] == 'l');
	CHECK(is("qAttached", "1"));
	CHECK(is("Hc-1", "OK"));
	CHECK(is("qOffsets", ""));
	CHECK_EQ(strlen(ask("g")), 2 * GDBREG_IMAGE_SIZE);
	CHECK(is("qSymbol::", "OK"));
	CHECK(f.out[0] == '$');
}

static const struct harness_test tests[] = {
	T(qsupported),
	T(empty_for_unknown),
	T(stop_reply_query),
	T(stop_reply_kinds),
	T(target_xml),
	T(xfer_windows),
	T(feature_files),
	T(xfer_threads),
	T(regs_all),
	T(regs_unavailable_are_xx),
	T(regs_one),
	T(regs_write_one),
	T(regs_write_all),
	T(mem_read),
	T(mem_read_large),
	T(mem_write_hex),
	T(mem_write_binary),
	T(breakpoints),
	T(continue_and_step),
	T(continue_at_address),
	T(stop_reply_after_resume),
	T(vcont),
	T(set_thread),
	T(thread_queries),
	T(monitor),
	T(monitor_too_long),
	T(symbol_lookup),
	T(detach),
	T(kill_is_detach),
	T(gdb_handshake),
};

HARNESS_MAIN("rsp_cmd", tests)
