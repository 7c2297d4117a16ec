/*
 * The built-in rule table. Every pattern runs anchored at a place the
 * prefilter (detect.c) picked, so a row also says which bytes a finding
 * may start with, which byte classes its run must hold, and a gate: a
 * test in C cheap enough to run on every candidate before PCRE2 does.
 * The validator then checks what the pattern cannot (checksums, ranges,
 * structure). Order matters: at one place the first row that matches
 * and validates wins, so the specific rules come before the general.
 */
#include <string.h>

#include "sanitize/sanitize_priv.h"

#define DIGITS "0123456789"
#define UPPER  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER  "abcdefghijklmnopqrstuvwxyz"
#define HEXL   "abcdefABCDEF"
#define ALNUM  DIGITS UPPER LOWER

/* An IPv4 octet, 0-255 without a leading zero. */
#define OCTET "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
/* A numeric finding ends where no digit, letter, ".5" or "-5" follows. */
#define NUM_END "(?![0-9A-Za-z]|[-.][0-9])"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static size_t count_digits(const char *in, size_t start, size_t end)
{
	size_t n = 0;

	for (size_t i = start; i < end; i++)
		n += is_digit(in[i]);
	return n;
}

/* Digits of [start, end) into buf (cap bytes); their count, or cap + 1. */
static size_t collect_digits(const char *in, size_t start, size_t end,
			     char *buf, size_t cap)
{
	size_t n = 0;

	for (size_t i = start; i < end; i++) {
		if (!is_digit(in[i]))
			continue;
		if (n == cap)
			return cap + 1;
		buf[n++] = in[i];
	}
	return n;
}

/* ---- gates ---- */

/* Digits from pos on, across single ' ' or '-' separators. */
static size_t digits_ahead(const char *in, size_t len, size_t pos)
{
	size_t n = 0;

	for (size_t i = pos; i < len && n < 20; i++) {
		if (is_digit(in[i]))
			n++;
		else if (!((in[i] == ' ' || in[i] == '-') && i + 1 < len &&
			   is_digit(in[i + 1])))
			break;
	}
	return n;
}

/* A first group of four, or thirteen digits across separators. */
static bool gate_card(const struct san_ctx *c)
{
	const char *p = c->in + c->pos;
	size_t left = c->len - c->pos;

	if (left >= 9 && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) &&
	    (p[4] == ' ' || p[4] == '-') && is_digit(p[5]) && is_digit(p[6]) &&
	    is_digit(p[7]) && is_digit(p[8]))
		return true;
	return digits_ahead(c->in, c->len, c->pos) >= 13;
}

/* ddd-dd-dddd or ddd dd dddd. */
static bool gate_ssn(const struct san_ctx *c)
{
	const char *p = c->in + c->pos;

	return c->len - c->pos >= 11 && (p[3] == '-' || p[3] == ' ') &&
	       p[6] == p[3] && is_digit(p[4]) && is_digit(p[5]);
}

/* Exactly nine digits. */
static bool gate_nine(const struct san_ctx *c)
{
	size_t end = c->pos + 9;

	if (end > c->len || (end < c->len && is_digit(c->in[end])))
		return false;
	return count_digits(c->in, c->pos, end) == 9;
}

/* "(ddd)" or ddd followed by a separator. */
static bool gate_us_phone(const struct san_ctx *c)
{
	const char *p = c->in + c->pos;

	if (c->len - c->pos < 12)
		return false;
	if (c->pos > 0 && p[-1] == '(')
		return true;
	/* A leading 1 (the country code) and a separator. */
	if (p[0] == '1' && (p[1] == '-' || p[1] == '.' || p[1] == ' '))
		p += 2;
	return is_digit(p[1]) && is_digit(p[2]) &&
	       (p[3] == '-' || p[3] == '.' || p[3] == ' ');
}

/* A national number: 0, then a non-zero digit. */
static bool gate_national(const struct san_ctx *c)
{
	return c->len - c->pos >= 10 && is_digit(c->in[c->pos + 1]) &&
	       c->in[c->pos + 1] != '0';
}

/* "+d" or "00d": an international prefix. */
static bool gate_plus(const struct san_ctx *c)
{
	const char *p = c->in + c->pos;

	if (c->len - c->pos < 9)
		return false;
	if (p[0] == '+')
		return is_digit(p[1]);
	return p[1] == '0' && is_digit(p[2]) && p[2] != '0';
}

static bool gate_mac(const struct san_ctx *c)
{
	const char *p = c->in + c->pos;
	size_t left = c->len - c->pos;

	if (left >= 17 && (p[2] == ':' || p[2] == '-'))
		return true;
	return left >= 14 && p[4] == '.';
}

/* Two colons within the next 40 bytes. */
static bool gate_ipv6(const struct san_ctx *c)
{
	size_t end = c->pos + 40 < c->len ? c->pos + 40 : c->len;
	unsigned colons = 0;

	for (size_t i = c->pos; i < end && colons < 2; i++) {
		char ch = c->in[i];

		if (ch == ':')
			colons++;
		else if (!is_digit(ch) &&
			 !((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f'))
			break;
	}
	return colons >= 2;
}

/* Three dots within the next 15 bytes, digits and dots only. */
static bool gate_ipv4(const struct san_ctx *c)
{
	size_t end = c->pos + 15 < c->len ? c->pos + 15 : c->len;
	unsigned dots = 0;

	for (size_t i = c->pos; i < end && dots < 3; i++) {
		if (c->in[i] == '.')
			dots++;
		else if (!is_digit(c->in[i]))
			break;
	}
	return dots == 3;
}

/* CC00: two capitals, two digits. */
static bool gate_iban(const struct san_ctx *c)
{
	const char *p = c->in + c->pos;

	return c->len - c->pos >= 15 && is_upper(p[1]) && is_digit(p[2]) &&
	       is_digit(p[3]);
}

static bool gate_len20(const struct san_ctx *c)
{
	return c->run->end - c->pos >= 20;
}

static bool gate_len40(const struct san_ctx *c)
{
	return c->run->end - c->pos >= 40;
}

/* ---- validators ---- */

/* All separators the same, groups of four but a shorter last (or 4-6-5). */
static bool card_groups(const char *in, size_t start, size_t end)
{
	size_t groups[8], ng = 0, cur = 0;
	char sep = 0;

	for (size_t i = start; i < end; i++) {
		if (is_digit(in[i])) {
			cur++;
			continue;
		}
		if (sep && in[i] != sep)
			return false;
		sep = in[i];
		if (ng == 7)
			return false;
		groups[ng++] = cur;
		cur = 0;
	}
	groups[ng++] = cur;
	if (ng == 1)
		return true;
	if (ng == 3 && groups[0] == 4 && groups[1] == 6 &&
	    (groups[2] == 5 || groups[2] == 4))
		return true;
	for (size_t g = 0; g + 1 < ng; g++)
		if (groups[g] != 4)
			return false;
	return groups[ng - 1] >= 1 && groups[ng - 1] <= 4;
}

static bool v_card(const char *in, size_t len, size_t *start, size_t *end)
{
	char d[20];
	size_t n = collect_digits(in, *start, *end, d, sizeof(d));

	(void)len;
	if (n < 13 || n > 19)
		return false;
	return card_groups(in, *start, *end) && gw_san_card_iin(d, n) &&
	       gw_san_luhn(d, n);
}

/* Cut the match to the country's length; refuse a longer run. */
static bool v_iban(const char *in, size_t len, size_t *start, size_t *end)
{
	char buf[40];
	size_t n = 0, i = *start;
	int want = gw_san_iban_length(in + *start);

	if (want == 0)
		return false;
	while (i < *end && n < (size_t)want) {
		if (in[i] != ' ')
			buf[n++] = in[i];
		i++;
	}
	if (n != (size_t)want)
		return false;
	if (i < len && (is_digit(in[i]) || is_upper(in[i]) ||
			(in[i] >= 'a' && in[i] <= 'z')))
		return false;
	*end = i;
	return gw_san_iban_mod97(buf, n);
}

static bool v_ssn(const char *in, size_t len, size_t *start, size_t *end)
{
	char d[10];
	size_t n = collect_digits(in, *start, *end, d, 9);

	(void)len;
	if (n != 9)
		return false;
	return gw_san_ssn_valid((unsigned)((d[0] - '0') * 100 +
					   (d[1] - '0') * 10 + (d[2] - '0')),
				(unsigned)((d[3] - '0') * 10 + (d[4] - '0')),
				(unsigned)((d[5] - '0') * 1000 +
					   (d[6] - '0') * 100 +
					   (d[7] - '0') * 10 + (d[8] - '0')));
}

/* E.164 has at most 15 digits: drop trailing groups that go past it. */
static bool v_phone_intl(const char *in, size_t len, size_t *start, size_t *end)
{
	size_t n = count_digits(in, *start, *end), e = *end;
	size_t idd = in[*start] == '0' ? 2 : 0; /* the "00" of 0049 */

	(void)len;
	/* 0049 30 ...: the "00" form needs separators, or it is a number. */
	if (idd && count_digits(in, *start, *end) == *end - *start)
		return false;
	n -= idd;
	while (n > 15 && e > *start) {
		while (e > *start && is_digit(in[e - 1])) {
			e--;
			n--;
		}
		while (e > *start && !is_digit(in[e - 1]))
			e--;
	}
	*end = e;
	return n >= 8 && n <= 15;
}

static bool v_phone_national(const char *in, size_t len, size_t *start,
			     size_t *end)
{
	size_t n = count_digits(in, *start, *end);

	(void)len;
	return n >= 10 && n <= 12;
}

/*
 * Words that make a dotted quad a version, not an address: "v1.2.3.4",
 * "version 1.2.3.4", "pkg==1.2.3.4", "release 2.0.1.3".
 */
static const char *const version_words[] = {
	"version", "ver", "release", "build", "rev", "firmware",
	"v",	   "==",  ">=",	     "<=",    "~=",  NULL,
};

static bool ends_with_word(const char *in, size_t start, size_t at)
{
	size_t i = at;

	/* Skip back over spaces, ':' and '=' once. */
	while (i > start && (in[i - 1] == ' ' || in[i - 1] == ':'))
		i--;
	for (const char *const *w = version_words; *w; w++) {
		size_t n = strlen(*w);

		if (i - start < n)
			continue;
		if (strncasecmp(in + i - n, *w, n) != 0)
			continue;
		/* A whole word: "v" must not end "dev", nor "rev" "prev". */
		if ((*w)[0] != '=' && (*w)[0] != '>' && (*w)[0] != '<' &&
		    (*w)[0] != '~' && i - n > start &&
		    ((in[i - n - 1] | 0x20) >= 'a' &&
		     (in[i - n - 1] | 0x20) <= 'z'))
			continue;
		return true;
	}
	return false;
}

static bool v_ipv4(const char *in, size_t len, size_t *start, size_t *end)
{
	size_t from = *start > 24 ? *start - 24 : 0;

	(void)len;
	if (!gw_san_ipv4_valid(in + *start, *end - *start))
		return false;
	return !ends_with_word(in, from, *start);
}

static bool v_ipv6(const char *in, size_t len, size_t *start, size_t *end)
{
	size_t e = *end;

	(void)len;
	/* "fe80::1:" at the end of a clause: drop a single trailing ':'. */
	if (e - *start > 2 && in[e - 1] == ':' && in[e - 2] != ':')
		e--;
	if (!gw_san_ipv6_valid(in + *start, e - *start))
		return false;
	*end = e;
	return true;
}

/* The dotted (Cisco) form must hold a hex letter: not a version. */
static bool v_mac(const char *in, size_t len, size_t *start, size_t *end)
{
	(void)len;
	if (in[*start + 4] != '.')
		return true;
	for (size_t i = *start; i < *end; i++)
		if ((in[i] | 0x20) >= 'a' && (in[i] | 0x20) <= 'f')
			return true;
	return false;
}

static bool v_jwt(const char *in, size_t len, size_t *start, size_t *end)
{
	(void)len;
	return gw_san_jwt_valid(in + *start, *end - *start);
}

/* Upper case, lower case and a digit: a generated key, not a word. */
static bool v_mixed(const char *in, size_t len, size_t *start, size_t *end)
{
	unsigned seen = 0;

	(void)len;
	for (size_t i = *start; i < *end; i++) {
		char c = in[i];

		if (is_upper(c))
			seen |= 1;
		else if (c >= 'a' && c <= 'z')
			seen |= 2;
		else if (is_digit(c))
			seen |= 4;
	}
	return seen == 7;
}

/* No "..", no dot at either end of the local part. */
static bool v_email(const char *in, size_t len, size_t *start, size_t *end)
{
	const char *at = memchr(in + *start, '@', *end - *start);

	(void)len;
	if (!at || at == in + *start || at[-1] == '.' || in[*start] == '.')
		return false;
	for (const char *p = in + *start; p + 1 < at; p++)
		if (p[0] == '.' && p[1] == '.')
			return false;
	return true;
}

/*
 * The high_entropy threshold is applied by detect.c, which knows the
 * sanitizer's setting; this only keeps our own tokens out.
 */
static bool v_not_ours(const char *in, size_t len, size_t *start, size_t *end)
{
	(void)len;
	(void)end;
	return !(memcmp(in + *start, "tok_", 4) == 0 ||
		 memcmp(in + *start, "gwt_", 4) == 0);
}

static const char *const ctx_aws[] = { "aws", "secret", NULL };
static const char *const ctx_ssn[] = { "ssn", "social security", "soc sec",
				       NULL };

const struct san_rule_def gw_san_builtin_rules[] = {
	{ .id = "pem_private_key",
	  .kind = GW_SAN_PEM_PRIVATE_KEY,
	  .pattern = "-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----"
		     "(?:[A-Za-z0-9+/=\\s:,.\\\\]++|-(?!----END ))*+"
		     "(?:-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----)?",
	  .first = "-",
	  .prefixes = { "-----BEGIN " } },
	{ .id = "jwt",
	  .kind = GW_SAN_JWT,
	  .pattern = "eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{2,}\\."
		     "[A-Za-z0-9_-]*+(?![A-Za-z0-9_-])",
	  .first = "e",
	  .need = SC_DOT,
	  .prefixes = { "eyJ" },
	  .validate = v_jwt },
	{ .id = "url_credentials",
	  .kind = GW_SAN_URL_CREDENTIALS,
	  .pattern = "[A-Za-z][A-Za-z0-9+.-]{1,15}://"
		     "(?<v>[^\\s/:@\"'<>]{1,128}:[^\\s/@\"'<>]{1,128})@"
		     "[A-Za-z0-9.-]+",
	  .first = UPPER LOWER,
	  .need = SC_AT | SC_COLON | SC_SLASH },
	{ .id = "aws_access_key",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])",
	  .first = "A",
	  .prefixes = { "AKIA", "ASIA", "ABIA", "ACCA" } },
	{ .id = "google_api_key",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
	  .first = "A",
	  .prefixes = { "AIza" } },
	{ .id = "github_token",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9])",
	  .first = "g",
	  .need = SC_UNDER,
	  .prefixes = { "ghp_", "gho_", "ghu_", "ghs_", "ghr_" } },
	{ .id = "github_pat",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])",
	  .first = "g",
	  .need = SC_UNDER,
	  .prefixes = { "github_pat_" } },
	{ .id = "gitlab_token",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "glpat-[A-Za-z0-9_-]{20,}+",
	  .first = "g",
	  .need = SC_DASH,
	  .prefixes = { "glpat-" } },
	{ .id = "slack_token",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "xox[abprs]-[A-Za-z0-9-]{10,}+",
	  .first = "x",
	  .need = SC_DASH,
	  .prefixes = { "xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-" } },
	{ .id = "slack_webhook",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "https://hooks\\.slack\\.com/(?:services|workflows)/"
		     "[A-Za-z0-9_/+-]{20,}+",
	  .first = "h",
	  .need = SC_SLASH,
	  .prefixes = { "https://hooks.slack.com/" } },
	{ .id = "discord_webhook",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/"
		     "webhooks/[0-9]{5,30}/[A-Za-z0-9_-]{20,}+",
	  .first = "h",
	  .need = SC_SLASH,
	  .prefixes = { "https://discord.com/", "https://discordapp.com/",
			"https://ptb.discord.com/",
			"https://canary.discord.com/" } },
	{ .id = "stripe_key",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "[sr]k_(?:live|test)_[A-Za-z0-9]{16,}+",
	  .first = "sr",
	  .need = SC_UNDER,
	  .prefixes = { "sk_live_", "rk_live_", "sk_test_", "rk_test_" } },
	{ .id = "openai_key",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}+",
	  .first = "s",
	  .need = SC_DASH,
	  .prefixes = { "sk-" },
	  .validate = v_mixed },
	{ .id = "npm_token",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])",
	  .first = "n",
	  .need = SC_UNDER,
	  .prefixes = { "npm_" } },
	{ .id = "pypi_token",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "pypi-AgE[A-Za-z0-9_-]{50,}+",
	  .first = "p",
	  .need = SC_DASH,
	  .prefixes = { "pypi-AgE" } },
	{ .id = "sendgrid_key",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}"
		     "(?![A-Za-z0-9_-])",
	  .first = "S",
	  .need = SC_DOT,
	  .prefixes = { "SG." } },
	{ .id = "aws_secret_key",
	  .kind = GW_SAN_TOKEN,
	  .pattern = "[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
	  .first = ALNUM "/+",
	  .need = SC_UPPER | SC_LOWER | SC_DIGIT,
	  .context = ctx_aws,
	  .ctx_bytes = 48,
	  .gate = gate_len40,
	  .validate = v_mixed },
	{ .id = "email",
	  .kind = GW_SAN_EMAIL,
	  .pattern = "[A-Za-z0-9._%+-]{1,64}@"
		     "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,8}"
		     "[A-Za-z]{2,24}(?![A-Za-z0-9-])",
	  .first = ALNUM "._%+-",
	  .need = SC_AT,
	  .validate = v_email },
	{ .id = "iban",
	  .kind = GW_SAN_IBAN,
	  .pattern = "[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}",
	  .first = UPPER,
	  .need = SC_UPPER | SC_DIGIT,
	  .gate = gate_iban,
	  .validate = v_iban },
	{ .id = "card",
	  .kind = GW_SAN_CARD,
	  .pattern = "[0-9](?:[ -]?[0-9]){11,18}(?![0-9A-Za-z])",
	  .first = DIGITS,
	  .gate = gate_card,
	  .validate = v_card },
	{ .id = "ssn",
	  .kind = GW_SAN_SSN,
	  .pattern = "[0-9]{3}([- ])[0-9]{2}\\1[0-9]{4}" NUM_END,
	  .first = DIGITS,
	  .gate = gate_ssn,
	  .validate = v_ssn },
	{ .id = "ssn_bare",
	  .kind = GW_SAN_SSN,
	  .pattern = "[0-9]{9}(?![0-9])",
	  .first = DIGITS,
	  .context = ctx_ssn,
	  .ctx_bytes = 24,
	  .gate = gate_nine,
	  .validate = v_ssn },
	{ .id = "phone_intl",
	  .kind = GW_SAN_PHONE,
	  .pattern = "(?:\\+|00)[1-9][0-9]{0,2}"
		     "(?:[ .-]?\\([0-9]{1,4}\\)|[ .-]?[0-9]{1,5}){2,6}" NUM_END,
	  .first = "+0",
	  .gate = gate_plus,
	  .validate = v_phone_intl },
	{ .id = "phone_us",
	  .kind = GW_SAN_PHONE,
	  .pattern = "(?:1[-. ])?"
		     "(?:\\([2-9][0-9]{2}\\) ?[2-9][0-9]{2}[-. ][0-9]{4}"
		     "|[2-9][0-9]{2}-[2-9][0-9]{2}-[0-9]{4}"
		     "|[2-9][0-9]{2}\\.[2-9][0-9]{2}\\.[0-9]{4}"
		     "|[2-9][0-9]{2} [2-9][0-9]{2} [0-9]{4})" NUM_END,
	  .first = DIGITS,
	  .back = '(',
	  .gate = gate_us_phone },
	{ .id = "phone_fr",
	  .kind = GW_SAN_PHONE,
	  .pattern = "0[1-9]([ .-])[0-9]{2}(?:\\1[0-9]{2}){3}" NUM_END,
	  .first = "0",
	  .gate = gate_national },
	{ .id = "phone_national",
	  .kind = GW_SAN_PHONE,
	  .pattern = "0[1-9][0-9]{1,4}(?:[ /-][0-9]{2,8}){1,3}" NUM_END,
	  .first = "0",
	  .gate = gate_national,
	  .validate = v_phone_national },
	{ .id = "mac",
	  .kind = GW_SAN_MAC,
	  .pattern = "(?:[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}"
		     "(?:\\1[0-9A-Fa-f]{2}){4}"
		     "|[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4})"
		     "(?![0-9A-Za-z:-])",
	  .first = DIGITS HEXL,
	  .gate = gate_mac,
	  .validate = v_mac },
	{ .id = "ipv6",
	  .kind = GW_SAN_IPV6,
	  .pattern = "(?:[0-9A-Fa-f]{0,4}:){2,7}"
		     "(?:" OCTET "(?:\\." OCTET "){3}|[0-9A-Fa-f]{0,4})"
		     "(?![0-9A-Za-z]|\\.[0-9A-Za-z])",
	  .first = DIGITS HEXL ":",
	  .need = SC_COLON,
	  .gate = gate_ipv6,
	  .validate = v_ipv6 },
	{ .id = "ipv4",
	  .kind = GW_SAN_IPV4,
	  .pattern = "(?:" OCTET "\\.){3}" OCTET "(?![0-9]|\\.[0-9]|[A-Za-z_])",
	  .first = DIGITS,
	  .need = SC_DOT,
	  .gate = gate_ipv4,
	  .validate = v_ipv4 },
	{ .id = "high_entropy",
	  .kind = GW_SAN_HIGH_ENTROPY,
	  .pattern = "[A-Za-z0-9+/_-]{20,4096}+={0,2}(?![A-Za-z0-9+/_=-])",
	  .first = ALNUM "+/",
	  .need = SC_UPPER | SC_LOWER | SC_DIGIT,
	  .gate = gate_len20,
	  .validate = v_not_ours },
};

const size_t gw_san_builtin_count =
	sizeof(gw_san_builtin_rules) / sizeof(gw_san_builtin_rules[0]);
