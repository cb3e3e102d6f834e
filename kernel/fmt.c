/*
 * vsnprintf for the kernel: %d %i %u %x %X %p %s %c %%, with the l, ll, z
 * length modifiers, field width, '0' padding and '-' alignment. Enough for
 * the log and panic reports; no floating point.
 */
#include "fmt.h"

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

static void fmt_putc(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void fmt_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		fmt_putc(o, c);
}

static void fmt_str(struct fmt_out *o, const char *s, int width, bool left)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n])
		n++;
	if (!left)
		fmt_pad(o, ' ', width - n);
	while (*s)
		fmt_putc(o, *s++);
	if (left)
		fmt_pad(o, ' ', width - n);
}

static void fmt_num(struct fmt_out *o, uint64_t v, bool neg, unsigned base,
		    bool upper, int width, char pad, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		width--;
	if (neg && pad == '0')
		fmt_putc(o, '-');
	if (!left)
		fmt_pad(o, pad, width - n);
	if (neg && pad != '0')
		fmt_putc(o, '-');
	while (n)
		fmt_putc(o, tmp[--n]);
	if (left)
		fmt_pad(o, ' ', width - (n + (int)neg));
}

static uint64_t fmt_arg(va_list *ap, int lng, bool is_signed, bool *neg)
{
	int64_t s;

	*neg = false;
	if (!is_signed) {
		if (lng)
			return va_arg(*ap, uint64_t);
		return va_arg(*ap, unsigned int);
	}
	s = lng ? va_arg(*ap, int64_t) : va_arg(*ap, int);
	if (s < 0) {
		*neg = true;
		return -(uint64_t)s;
	}
	return s;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		bool left = false, neg;
		char pad = ' ';
		uint64_t v;

		if (*fmt != '%') {
			fmt_putc(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '-') {
			left = true;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			v = fmt_arg(&aq, lng, true, &neg);
			fmt_num(&o, v, neg, 10, false, width, pad, left);
			break;
		case 'u':
			v = fmt_arg(&aq, lng, false, &neg);
			fmt_num(&o, v, false, 10, false, width, pad, left);
			break;
		case 'x':
		case 'X':
			v = fmt_arg(&aq, lng, false, &neg);
			fmt_num(&o, v, false, 16, *fmt == 'X', width, pad, left);
			break;
		case 'p':
			fmt_str(&o, "0x", 0, false);
			v = (uintptr_t)va_arg(aq, void *);
			fmt_num(&o, v, false, 16, false, 16, '0', false);
			break;
		case 's':
			fmt_str(&o, va_arg(aq, const char *), width, left);
			break;
		case 'c':
			fmt_putc(&o, (char)va_arg(aq, int));
			break;
		case '%':
			fmt_putc(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			fmt_putc(&o, '%');
			fmt_putc(&o, *fmt);
		}
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
