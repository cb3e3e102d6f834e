/*
 * Host tests of RSP framing (gdbstub/rsp.c) as byte transcripts: bytes in,
 * exact bytes out, against the fake target. Acks, NAK resend, no-ack mode,
 * escapes, break-in, garbage, oversize, truncation and disconnects.
 */
#include "tests/harness.h"
#include "gdbstub/tests/fake_target.h"

static struct fake_target f;

TEST(mem_read_transcript)
{
	fake_init(&f);
	CHECK_EQ(fake_feed(&f, "$m1000,4#8e"), RSP_EV_NONE);
	CHECK(fake_out_is(&f, "+$deadbeef#20"));
}

TEST(bad_checksum_is_naked)
{
	fake_init(&f);
	fake_feed(&f, "$m1000,4#8f");
	CHECK(fake_out_is(&f, "-"));
	fake_feed(&f, "$m1000,4#8e");
	CHECK(fake_out_is(&f, "+$deadbeef#20"));
}

TEST(nak_resends_last_reply)
{
	fake_init(&f);
	fake_feed(&f, "$m1000,4#8e");
	fake_out_clear(&f);
	fake_feed(&f, "-");
	CHECK(fake_out_is(&f, "$deadbeef#20"));
	fake_feed(&f, "-");
	CHECK(fake_out_is(&f, "$deadbeef#20"));
}

TEST(nak_before_any_reply_is_ignored)
{
	fake_init(&f);
	fake_feed(&f, "-");
	CHECK(fake_out_is(&f, ""));
}

TEST(stray_acks_ignored)
{
	fake_init(&f);
	fake_feed(&f, "+++");
	CHECK(fake_out_is(&f, ""));
	fake_feed(&f, "+$m1000,4#8e+");
	CHECK(fake_out_is(&f, "+$deadbeef#20"));
}

TEST(no_ack_mode)
{
	fake_init(&f);
	fake_feed(&f, "$QStartNoAckMode#b0");
	CHECK(fake_out_is(&f, "+$OK#9a"));
	fake_feed(&f, "+$m1000,4#8e");
	CHECK(fake_out_is(&f, "$deadbeef#20"));
	fake_feed(&f, "-");
	CHECK(fake_out_is(&f, ""));
	fake_feed(&f, "$m1000,4#00");
	CHECK(fake_out_is(&f, ""));
}

TEST(new_session_turns_acks_back_on)
{
	fake_init(&f);
	fake_feed(&f, "$QStartNoAckMode#b0");
	fake_out_clear(&f);
	fake_feed(&f, "+");
	fake_feed(&f, fake_pkt("qSupported:swbreak+"));
	CHECK(f.out[0] == '+');
	CHECK(strstr(f.out, "$PacketSize=4000;") != NULL);
	fake_out_clear(&f);
	fake_feed(&f, "$m1000,4#8e");
	CHECK(fake_out_is(&f, "+$deadbeef#20"));
}

TEST(escaped_input)
{
	/* X1000,4: then '#' '$' '}' '*' escaped; checksum over wire bytes. */
	static const char pkt[] = "X1000,4:}\x03}\x04}]}\x0a";
	char wire[64];
	uint8_t sum = 0;

	fake_init(&f);
	for (const char *p = pkt; *p; p++)
		sum += (uint8_t)*p;
	snprintf(wire, sizeof(wire), "$%s#%02x", pkt, sum);
	fake_feed(&f, wire);
	CHECK(fake_out_is(&f, "+$OK#9a"));
	CHECK(!memcmp(f.mem, "#$}*", 4));
}

TEST(escaped_output)
{
	char payload[4096];

	fake_init(&f);
	fake_feed(&f, fake_pkt("qXfer:threads:read::0,1000"));
	CHECK(strstr(f.out, "k&lt;w&amp;r&gt;}\x03}\x0a") != NULL);
	CHECK(fake_unframe(f.out, payload, sizeof(payload)) != (size_t)-1);
	CHECK(strstr(payload, "name=\"k&lt;w&amp;r&gt;#*\"") != NULL);
}

TEST(star_is_plain_data)
{
	fake_init(&f);
	fake_feed(&f, fake_pkt("m1000*4"));
	CHECK(fake_out_is(&f, "+$E22#a9"));
}

TEST(break_in_between_packets)
{
	fake_init(&f);
	CHECK_EQ(fake_feed(&f, "$c#63"), RSP_EV_RESUME);
	CHECK(fake_out_is(&f, "+"));
	CHECK_EQ(fake_feed(&f, "\x03"), RSP_EV_INTERRUPT);
	f.stop.signal = GDBSTUB_SIGINT;
	rsp_stopped(&f.rsp);
	CHECK(fake_out_is(&f, fake_pkt("T02thread:1;core:0;")));
}

TEST(dollar_while_running_breaks_in)
{
	fake_init(&f);
	fake_feed(&f, "$c#63");
	CHECK_EQ(fake_feed(&f, "$"), RSP_EV_INTERRUPT);
	rsp_stopped(&f.rsp);
	fake_out_clear(&f);
	fake_feed(&f, "?#3f");
	CHECK(fake_out_is(&f, "+$T05thread:1;core:0;#25"));
}

TEST(break_in_while_stopped_ignored)
{
	fake_init(&f);
	CHECK_EQ(fake_feed(&f, "\x03"), RSP_EV_NONE);
	CHECK(fake_out_is(&f, ""));
}

TEST(break_in_byte_inside_packet_is_data)
{
	char wire[32];

	fake_init(&f);
	snprintf(wire, sizeof(wire), "$X1000,1:\x03#%02x",
		 ('X' + '1' + '0' * 3 + ',' + '1' + ':' + 3) & 0xff);
	CHECK_EQ(fake_feed(&f, wire), RSP_EV_NONE);
	CHECK(fake_out_is(&f, "+$OK#9a"));
	CHECK_EQ(f.mem[0], 3);
}

TEST(garbage_between_packets_skipped)
{
	fake_init(&f);
	fake_feed(&f, "hello\r\n#00}}**\xff\x80");
	CHECK(fake_out_is(&f, ""));
	fake_feed(&f, "$m1000,4#8e");
	CHECK(fake_out_is(&f, "+$deadbeef#20"));
}

TEST(oversized_packet_rejected)
{
	static char big[GDBSTUB_PACKET_SIZE + 0x1000];

	fake_init(&f);
	memset(big, 'a', sizeof(big) - 1);
	fake_feed(&f, fake_pkt(big));
	CHECK(fake_out_is(&f, "+$E07#ac"));
	fake_feed(&f, "$m1000,4#8e");
	CHECK(fake_out_is(&f, "+$deadbeef#20"));
}

TEST(largest_packet_accepted)
{
	static char big[GDBSTUB_PACKET_SIZE + 1];
	int n;

	fake_init(&f);
	n = snprintf(big, sizeof(big), "M1000,%x:", (GDBSTUB_PACKET_SIZE - 16) / 2);
	memset(big + n, '5', GDBSTUB_PACKET_SIZE - (size_t)n);
	big[n + GDBSTUB_PACKET_SIZE - 16] = '\0';
	/* Beyond the writable part: a clean E14, not a crash. */
	fake_feed(&f, fake_pkt(big));
	CHECK(fake_out_is(&f, "+$E14#aa"));
}

TEST(truncated_packet_then_new_one)
{
	fake_init(&f);
	fake_feed(&f, "$m10");
	CHECK(fake_out_is(&f, ""));
	fake_feed(&f, "$m1000,4#8e");
	CHECK(fake_out_is(&f, "+$deadbeef#20"));
}

TEST(truncated_checksum_then_new_packet)
{
	fake_init(&f);
	fake_feed(&f, "$m1000,4#8$?#3f");
	CHECK(fake_out_is(&f, "-+$T05thread:1;core:0;#25"));
}

TEST(truncated_escape_then_new_packet)
{
	fake_init(&f);
	fake_feed(&f, "$X1000,1:}$?#3f");
	CHECK(fake_out_is(&f, "+$T05thread:1;core:0;#25"));
}

TEST(disconnect_mid_packet)
{
	fake_init(&f);
	fake_feed(&f, "$QStartNoAckMode#b0$m10");
	fake_out_clear(&f);
	CHECK_EQ(rsp_disconnect(&f.rsp), RSP_EV_DETACH);
	CHECK_EQ(f.detaches, 1);
	CHECK_EQ(fake_feed(&f, "+$"), RSP_EV_INTERRUPT);
	rsp_stopped(&f.rsp);
	fake_feed(&f, "?#3f");
	CHECK(fake_out_is(&f, "+$T05thread:1;core:0;#25"));
}

TEST(poll_reports_reset)
{
	static const char in[] = "$m1000,4#8e$m10";

	fake_init(&f);
	f.in = (const uint8_t *)in;
	f.in_len = strlen(in);
	f.in_reset = true;
	CHECK_EQ(rsp_poll(&f.rsp), RSP_EV_DETACH);
	CHECK(fake_out_is(&f, "+$deadbeef#20"));
	CHECK_EQ(f.detaches, 1);
	CHECK_EQ(f.rsp.rx_state, RSP_RX_IDLE);
}

TEST(poll_runs_dry)
{
	static const char in[] = "$m1000,4#8e";

	fake_init(&f);
	f.in = (const uint8_t *)in;
	f.in_len = strlen(in);
	CHECK_EQ(rsp_poll(&f.rsp), RSP_EV_NONE);
	CHECK(fake_out_is(&f, "+$deadbeef#20"));
}

TEST(no_unsolicited_stop_reply)
{
	fake_init(&f);
	rsp_stopped(&f.rsp);
	CHECK(fake_out_is(&f, ""));
}

TEST(console_output_packets)
{
	fake_init(&f);
	rsp_console_write(&f.rsp, "hi\n", 3);
	CHECK(fake_out_is(&f, fake_pkt("O68690a")));
}

TEST(console_output_is_chunked)
{
	char text[600], payload[2048];

	fake_init(&f);
	memset(text, 'A', sizeof(text));
	rsp_console_write(&f.rsp, text, sizeof(text));
	CHECK_EQ(fake_unframe(f.out, payload, sizeof(payload)), 1 + 2 * 256);
	CHECK_EQ(f.flushes, 3);
}

TEST(exit_reply)
{
	fake_init(&f);
	fake_feed(&f, "$c#63");
	fake_out_clear(&f);
	rsp_exited(&f.rsp, 0);
	CHECK(fake_out_is(&f, "$W00#b7"));
}

TEST(reply_is_flushed)
{
	fake_init(&f);
	fake_feed(&f, "$m1000,4#8e");
	CHECK(f.flushes >= 1);
}

static const struct harness_test tests[] = {
	T(mem_read_transcript),
	T(bad_checksum_is_naked),
	T(nak_resends_last_reply),
	T(nak_before_any_reply_is_ignored),
	T(stray_acks_ignored),
	T(no_ack_mode),
	T(new_session_turns_acks_back_on),
	T(escaped_input),
	T(escaped_output),
	T(star_is_plain_data),
	T(break_in_between_packets),
	T(dollar_while_running_breaks_in),
	T(break_in_while_stopped_ignored),
	T(break_in_byte_inside_packet_is_data),
	T(garbage_between_packets_skipped),
	T(oversized_packet_rejected),
	T(largest_packet_accepted),
	T(truncated_packet_then_new_one),
	T(truncated_checksum_then_new_packet),
	T(truncated_escape_then_new_packet),
	T(disconnect_mid_packet),
	T(poll_reports_reset),
	T(poll_runs_dry),
	T(no_unsolicited_stop_reply),
	T(console_output_packets),
	T(console_output_is_chunked),
	T(exit_reply),
	T(reply_is_flushed),
};

HARNESS_MAIN("rsp", tests)
