/*
 * conecho: the program init leaves on the console. It prints a prompt,
 * reads a line from stdin (the console, canonical mode) and echoes it;
 * end of input (^D on an empty line) ends it, and init starts it again.
 * The line "raw" switches the terminal to raw mode (no ICANON, ECHO or
 * ISIG; VMIN 1) and shows each byte typed until 'q': how the console test
 * (tests/suite) checks raw mode.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "say.h"

/* Raw mode until 'q': one line per byte, then the old settings back. */
static int conecho_raw(void)
{
	struct termios old, t;
	unsigned char c;

	if (tcgetattr(0, &old)) {
		say("conecho: tcgetattr failed\n");
		return 1;
	}
	t = old;
	t.c_lflag &= ~(ICANON | ECHO | ISIG);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSANOW, &t)) {
		say("conecho: tcsetattr failed\n");
		return 1;
	}
	say("raw: type keys, q ends\n");
	while (read(0, &c, 1) == 1) {
		say("raw: 0x%02x\n", c);
		if (c == 'q')
			break;
	}
	tcsetattr(0, TCSANOW, &old);
	say("raw: done\n");
	return 0;
}

int main(void)
{
	char line[1024];
	ssize_t n;

	for (;;) {
		say("loupe$ ");
		n = read(0, line, sizeof(line) - 1);
		if (n == 0) {
			say("conecho: end of input\n");
			return 0;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say("conecho: cannot read the console\n");
			return 1;
		}
		line[n] = 0;
		if (line[n - 1] == '\n')
			line[--n] = 0;
		if (!strcmp(line, "raw"))
			conecho_raw();
		else
			say("echo: %s\n", line);
	}
}
