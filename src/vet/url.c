/*
 * Addresses in string literals: raw IP addresses, and host names of
 * services that attackers use to receive data or serve payloads
 * (tunnels, dynamic DNS, paste and file-drop sites, chat webhooks, bot
 * APIs, request catchers). Pure functions over text.
 */
#include <string.h>

#include "vet/vet_priv.h"

struct service {
	const char *domain; /* matched as the host or a suffix after '.' */
	const char *path;   /* required path prefix, or NULL */
	enum gw_vet_url_class cls;
	const char *label;
};

static const struct service services[] = {
	/* Tunnels that give a private machine a public name. */
	{ "ngrok.io", NULL, GW_VET_URL_TUNNEL, "ngrok tunnel" },
	{ "ngrok.app", NULL, GW_VET_URL_TUNNEL, "ngrok tunnel" },
	{ "ngrok.dev", NULL, GW_VET_URL_TUNNEL, "ngrok tunnel" },
	{ "ngrok-free.app", NULL, GW_VET_URL_TUNNEL, "ngrok tunnel" },
	{ "ngrok-free.dev", NULL, GW_VET_URL_TUNNEL, "ngrok tunnel" },
	{ "trycloudflare.com", NULL, GW_VET_URL_TUNNEL,
	  "Cloudflare quick tunnel" },
	{ "loca.lt", NULL, GW_VET_URL_TUNNEL, "localtunnel" },
	{ "localtunnel.me", NULL, GW_VET_URL_TUNNEL, "localtunnel" },
	{ "serveo.net", NULL, GW_VET_URL_TUNNEL, "serveo tunnel" },
	{ "serveousercontent.com", NULL, GW_VET_URL_TUNNEL, "serveo tunnel" },
	{ "localhost.run", NULL, GW_VET_URL_TUNNEL, "localhost.run tunnel" },
	{ "lhr.life", NULL, GW_VET_URL_TUNNEL, "localhost.run tunnel" },
	{ "pagekite.me", NULL, GW_VET_URL_TUNNEL, "PageKite tunnel" },
	{ "bore.pub", NULL, GW_VET_URL_TUNNEL, "bore tunnel" },
	{ "pinggy.io", NULL, GW_VET_URL_TUNNEL, "Pinggy tunnel" },
	{ "pinggy.link", NULL, GW_VET_URL_TUNNEL, "Pinggy tunnel" },
	{ "tunnelmole.net", NULL, GW_VET_URL_TUNNEL, "tunnelmole" },
	{ "devtunnels.ms", NULL, GW_VET_URL_TUNNEL, "dev tunnel" },
	{ "playit.gg", NULL, GW_VET_URL_TUNNEL, "playit tunnel" },
	{ "portmap.io", NULL, GW_VET_URL_TUNNEL, "portmap tunnel" },
	/* Dynamic DNS: a stable name for a changing home address. */
	{ "duckdns.org", NULL, GW_VET_URL_TUNNEL, "dynamic DNS" },
	{ "ddns.net", NULL, GW_VET_URL_TUNNEL, "dynamic DNS" },
	{ "no-ip.org", NULL, GW_VET_URL_TUNNEL, "dynamic DNS" },
	{ "hopto.org", NULL, GW_VET_URL_TUNNEL, "dynamic DNS" },
	{ "zapto.org", NULL, GW_VET_URL_TUNNEL, "dynamic DNS" },
	{ "sytes.net", NULL, GW_VET_URL_TUNNEL, "dynamic DNS" },
	{ "dynu.net", NULL, GW_VET_URL_TUNNEL, "dynamic DNS" },
	{ "ydns.eu", NULL, GW_VET_URL_TUNNEL, "dynamic DNS" },
	/* Paste and anonymous file-drop sites. */
	{ "pastebin.com", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "paste.ee", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "hastebin.com", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "ghostbin.com", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "ghostbin.co", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "rentry.co", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "rentry.org", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "dpaste.com", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "dpaste.org", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "termbin.com", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "paste.rs", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "controlc.com", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "justpaste.it", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "pastes.io", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "pastie.org", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "privatebin.net", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "bpa.st", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "ix.io", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "sprunge.us", NULL, GW_VET_URL_PASTE, "paste site" },
	{ "transfer.sh", NULL, GW_VET_URL_PASTE, "file drop" },
	{ "0x0.st", NULL, GW_VET_URL_PASTE, "file drop" },
	{ "file.io", NULL, GW_VET_URL_PASTE, "file drop" },
	{ "anonfiles.com", NULL, GW_VET_URL_PASTE, "file drop" },
	{ "gofile.io", NULL, GW_VET_URL_PASTE, "file drop" },
	{ "catbox.moe", NULL, GW_VET_URL_PASTE, "file drop" },
	{ "temp.sh", NULL, GW_VET_URL_PASTE, "file drop" },
	{ "oshi.at", NULL, GW_VET_URL_PASTE, "file drop" },
	/* Drop boxes for stolen data: webhooks, bots, request catchers. */
	{ "discord.com", "/api/webhooks", GW_VET_URL_WEBHOOK,
	  "Discord webhook" },
	{ "discordapp.com", "/api/webhooks", GW_VET_URL_WEBHOOK,
	  "Discord webhook" },
	{ "hooks.slack.com", NULL, GW_VET_URL_WEBHOOK, "Slack webhook" },
	{ "webhook.office.com", NULL, GW_VET_URL_WEBHOOK, "Teams webhook" },
	{ "api.telegram.org", "/bot", GW_VET_URL_WEBHOOK, "Telegram bot API" },
	{ "webhook.site", NULL, GW_VET_URL_WEBHOOK, "request catcher" },
	{ "requestbin.com", NULL, GW_VET_URL_WEBHOOK, "request catcher" },
	{ "requestbin.net", NULL, GW_VET_URL_WEBHOOK, "request catcher" },
	{ "pipedream.net", NULL, GW_VET_URL_WEBHOOK, "request catcher" },
	{ "beeceptor.com", NULL, GW_VET_URL_WEBHOOK, "request catcher" },
	{ "requestcatcher.com", NULL, GW_VET_URL_WEBHOOK, "request catcher" },
	{ "hookbin.com", NULL, GW_VET_URL_WEBHOOK, "request catcher" },
	{ "interact.sh", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
	{ "oast.fun", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
	{ "oast.pro", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
	{ "oast.live", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
	{ "oast.site", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
	{ "oast.online", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
	{ "oast.me", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
	{ "oastify.com", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
	{ "burpcollaborator.net", NULL, GW_VET_URL_WEBHOOK,
	  "interaction catcher" },
	{ "canarytokens.com", NULL, GW_VET_URL_WEBHOOK, "canary token" },
	{ "dnslog.cn", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
	{ "ceye.io", NULL, GW_VET_URL_WEBHOOK, "interaction catcher" },
};

#define N_SERVICES (sizeof(services) / sizeof(services[0]))

/* How bad each class is, for picking the worst hit. */
static int rank(enum gw_vet_url_class c)
{
	static const int r[] = {
		[GW_VET_URL_NONE] = 0,	 [GW_VET_URL_PRIVATE_IP] = 1,
		[GW_VET_URL_RAW_IP] = 2, [GW_VET_URL_PASTE] = 3,
		[GW_VET_URL_TUNNEL] = 4, [GW_VET_URL_WEBHOOK] = 5,
	};

	return r[c];
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

static bool ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/* host is domain, or ends in "." + domain. */
static bool domain_match(const char *host, size_t len, const char *domain)
{
	size_t d = strlen(domain);

	if (len == d)
		return ieq(host, domain, d);
	return len > d && host[len - d - 1] == '.' &&
	       ieq(host + len - d, domain, d);
}

/* Dotted IPv4 with four parts of 0..255, no more. */
static bool parse_ipv4(const char *s, size_t len, unsigned char ip[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255)
			return false;
		ip[part] = (unsigned char)v;
		if (part < 3 && (i >= len || s[i++] != '.'))
			return false;
	}
	return i == len;
}

static enum gw_vet_url_class ipv4_class(const unsigned char ip[4])
{
	if (ip[0] == 127 || ip[0] == 0 || (ip[0] == 169 && ip[1] == 254) ||
	    ip[0] >= 224)
		return GW_VET_URL_NONE;
	if (ip[0] == 10 || (ip[0] == 172 && ip[1] >= 16 && ip[1] < 32) ||
	    (ip[0] == 192 && ip[1] == 168) ||
	    (ip[0] == 100 && ip[1] >= 64 && ip[1] < 128))
		return GW_VET_URL_PRIVATE_IP;
	return GW_VET_URL_RAW_IP;
}

static enum gw_vet_url_class classify(const char *host, size_t len,
				      const char *path, size_t plen,
				      const char **label)
{
	unsigned char ip[4];

	*label = NULL;
	if (parse_ipv4(host, len, ip)) {
		*label = "raw IPv4 address";
		return ipv4_class(ip);
	}
	for (size_t i = 0; i < N_SERVICES; i++) {
		const struct service *s = &services[i];
		size_t need = s->path ? strlen(s->path) : 0;

		if (!domain_match(host, len, s->domain))
			continue;
		if (s->path && (plen < need || !ieq(path, s->path, need)))
			continue;
		*label = s->label;
		return s->cls;
	}
	return GW_VET_URL_NONE;
}

enum gw_vet_url_class gw_vet_host_class(const char *host, size_t len,
					const char **service)
{
	const char *label;
	enum gw_vet_url_class c = classify(host, len, "", 0, &label);

	if (service)
		*service = label;
	return c;
}

static void consider(struct gw_vet_url_hit *best, enum gw_vet_url_class c,
		     size_t off, size_t len, const char *label)
{
	if (rank(c) <= rank(best->cls))
		return;
	best->cls = c;
	best->off = off;
	best->len = len;
	best->service = label;
}

/* An IPv6 literal in brackets: only loopback and link-local are fine. */
static enum gw_vet_url_class ipv6_class(const char *s, size_t len)
{
	if (len == 3 && memcmp(s, "::1", 3) == 0)
		return GW_VET_URL_NONE;
	if (len >= 4 && ieq(s, "fe80", 4))
		return GW_VET_URL_NONE;
	if ((len >= 2 && (ieq(s, "fc", 2) || ieq(s, "fd", 2))))
		return GW_VET_URL_PRIVATE_IP;
	for (size_t i = 0; i < len; i++)
		if (!(host_char(s[i]) || s[i] == ':'))
			return GW_VET_URL_NONE;
	return len > 2 ? GW_VET_URL_RAW_IP : GW_VET_URL_NONE;
}

/* Every scheme://host in text. */
static void scan_urls(const char *t, size_t len, struct gw_vet_url_hit *best)
{
	const char *label;

	for (size_t i = 0; i + 3 <= len; i++) {
		enum gw_vet_url_class c;
		size_t h, e, p;

		if (t[i] != ':' || t[i + 1] != '/' || t[i + 2] != '/' || i == 0)
			continue;
		h = i + 3;
		/* Skip user:password@. */
		for (e = h; e < len && t[e] != '/' && t[e] != '@' &&
			    t[e] != ' ' && t[e] != '"' && t[e] != '\'';
		     e++)
			;
		if (e < len && t[e] == '@')
			h = e + 1;
		if (h < len && t[h] == '[') {
			for (e = h + 1; e < len && t[e] != ']'; e++)
				;
			if (e < len)
				consider(best, ipv6_class(t + h + 1, e - h - 1),
					 h, e + 1 - h, "raw IPv6 address");
			continue;
		}
		for (e = h; e < len && host_char(t[e]); e++)
			;
		p = e;
		if (p < len && t[p] == ':')
			for (p++; p < len && t[p] >= '0' && t[p] <= '9'; p++)
				;
		c = classify(t + h, e - h, t + p, len - p, &label);
		consider(best, c, h, e - h, label);
	}
}

/* A known service named in one host-like word, and the path after it. */
static void bare_word(const char *t, size_t len, size_t at, size_t end,
		      struct gw_vet_url_hit *best)
{
	const char *label;
	enum gw_vet_url_class c;

	/* Trailing dots end sentences, not host names. */
	while (end > at && t[end - 1] == '.')
		end--;
	c = classify(t + at, end - at, t + end, len - end, &label);
	if (c != GW_VET_URL_NONE && c != GW_VET_URL_RAW_IP &&
	    c != GW_VET_URL_PRIVATE_IP)
		consider(best, c, at, end - at, label);
}

/*
 * Known service names written without a scheme ("api.telegram.org/bot"):
 * every word of host characters holding a dot is tried once.
 */
static void scan_bare(const char *t, size_t len, struct gw_vet_url_hit *best)
{
	for (size_t i = 0; i < len;) {
		size_t e = i;
		bool dot = false;

		while (e < len && host_char(t[e])) {
			dot |= t[e] == '.';
			e++;
		}
		if (dot && e - i >= 4)
			bare_word(t, len, i, e, best);
		i = e + 1;
	}
}

/* The whole text is an address, maybe with a port: "1.2.3.4:4444". */
static void scan_lone(const char *t, size_t len, struct gw_vet_url_hit *best)
{
	unsigned char ip[4];
	size_t n = len;

	for (size_t i = 0; i < len; i++)
		if (t[i] == ':') {
			n = i;
			break;
		}
	if (parse_ipv4(t, n, ip))
		consider(best, ipv4_class(ip), 0, n, "raw IPv4 address");
}

enum gw_vet_url_class gw_vet_url_scan(const char *text, size_t len,
				      struct gw_vet_url_hit *hit)
{
	struct gw_vet_url_hit best = { GW_VET_URL_NONE, 0, 0, NULL };

	if (len >= 7 && memchr(text, ':', len))
		scan_urls(text, len, &best);
	if (len >= 5 && memchr(text, '.', len))
		scan_bare(text, len, &best);
	if (len >= 7 && len <= 21)
		scan_lone(text, len, &best);
	if (hit)
		*hit = best;
	return best.cls;
}
