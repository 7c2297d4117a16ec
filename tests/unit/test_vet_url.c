/* Unit tests for src/vet/url.c: addresses in string literals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vet/vet_priv.h"

struct url_case {
	const char *text;
	enum gw_vet_url_class want;
	const char *host; /* the part reported, or NULL */
};

static const struct url_case url_cases[] = {
	{ "http://45.33.32.156/x", GW_VET_URL_RAW_IP, "45.33.32.156" },
	{ "https://user:pw@8.8.8.8:53/dns", GW_VET_URL_RAW_IP, "8.8.8.8" },
	{ "45.33.32.156", GW_VET_URL_RAW_IP, "45.33.32.156" },
	{ "45.33.32.156:4444", GW_VET_URL_RAW_IP, "45.33.32.156" },
	{ "http://10.0.0.7/", GW_VET_URL_PRIVATE_IP, "10.0.0.7" },
	{ "http://172.20.1.1/", GW_VET_URL_PRIVATE_IP, "172.20.1.1" },
	{ "http://[2001:db8::1]/", GW_VET_URL_RAW_IP, NULL },
	{ "http://127.0.0.1:8000/", GW_VET_URL_NONE, NULL },
	{ "http://0.0.0.0/", GW_VET_URL_NONE, NULL },
	{ "http://[::1]/", GW_VET_URL_NONE, NULL },
	{ "http://169.254.169.254/latest", GW_VET_URL_NONE, NULL },
	{ "1.2.3", GW_VET_URL_NONE, NULL },
	{ "version 1.2.3.4.5", GW_VET_URL_NONE, NULL },
	{ "http://256.1.1.1/", GW_VET_URL_NONE, NULL },
	{ "https://ab12.ngrok.io/in", GW_VET_URL_TUNNEL, "ab12.ngrok.io" },
	{ "https://x.ngrok-free.app", GW_VET_URL_TUNNEL, "x.ngrok-free.app" },
	{ "https://quiet-sun.trycloudflare.com/", GW_VET_URL_TUNNEL,
	  "quiet-sun.trycloudflare.com" },
	{ "home.duckdns.org", GW_VET_URL_TUNNEL, "home.duckdns.org" },
	{ "https://pastebin.com/raw/abc", GW_VET_URL_PASTE, "pastebin.com" },
	{ "curl https://transfer.sh/x", GW_VET_URL_PASTE, "transfer.sh" },
	{ "https://discord.com/api/webhooks/1/abc", GW_VET_URL_WEBHOOK,
	  "discord.com" },
	{ "https://discordapp.com/api/webhooks/1/abc", GW_VET_URL_WEBHOOK,
	  "discordapp.com" },
	{ "https://discord.com/invite/abc", GW_VET_URL_NONE, NULL },
	{ "https://api.telegram.org/bot1:AA/sendMessage", GW_VET_URL_WEBHOOK,
	  "api.telegram.org" },
	{ "https://api.telegram.org/file", GW_VET_URL_NONE, NULL },
	{ "https://hooks.slack.com/services/T/B/X", GW_VET_URL_WEBHOOK,
	  "hooks.slack.com" },
	{ "https://webhook.site/1234", GW_VET_URL_WEBHOOK, "webhook.site" },
	{ "x.oast.fun", GW_VET_URL_WEBHOOK, "x.oast.fun" },
	{ "https://gymnasium.farama.org/", GW_VET_URL_NONE, NULL },
	{ "https://github.com/Farama-Foundation/Gymnasium", GW_VET_URL_NONE,
	  NULL },
	{ "mypastebin.community", GW_VET_URL_NONE, NULL },
	{ "notngrok.io.example", GW_VET_URL_NONE, NULL },
};

static void url_table_gives_expected_class(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(url_cases) / sizeof(*url_cases); i++) {
		const struct url_case *c = &url_cases[i];
		struct gw_vet_url_hit hit;
		enum gw_vet_url_class got =
			gw_vet_url_scan(c->text, strlen(c->text), &hit);

		if (got != c->want)
			fail_msg("'%s': class %d, want %d", c->text, got,
				 c->want);
		if (c->host && (hit.len != strlen(c->host) ||
				memcmp(c->text + hit.off, c->host, hit.len)))
			fail_msg("'%s': reported '%.*s', want '%s'", c->text,
				 (int)hit.len, c->text + hit.off, c->host);
	}
}

static void worst_address_wins(void **state)
{
	const char *t = "see http://1.2.3.4/ then https://a.ngrok.io and "
			"https://discord.com/api/webhooks/9/z";
	struct gw_vet_url_hit hit;

	(void)state;
	assert_int_equal(gw_vet_url_scan(t, strlen(t), &hit),
			 GW_VET_URL_WEBHOOK);
	assert_string_equal(hit.service, "Discord webhook");
}

static void host_class_names_the_service(void **state)
{
	const char *service = NULL;

	(void)state;
	assert_int_equal(gw_vet_host_class("A.NGROK.IO", 10, &service),
			 GW_VET_URL_TUNNEL);
	assert_string_equal(service, "ngrok tunnel");
	assert_int_equal(gw_vet_host_class("example.org", 11, &service),
			 GW_VET_URL_NONE);
}

static void truncated_text_is_safe(void **state)
{
	const char *t = "http://[2001:db8::1";

	(void)state;
	for (size_t n = 0; n <= strlen(t); n++)
		gw_vet_url_scan(t, n, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(url_table_gives_expected_class),
		cmocka_unit_test(worst_address_wins),
		cmocka_unit_test(host_class_names_the_service),
		cmocka_unit_test(truncated_text_is_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
