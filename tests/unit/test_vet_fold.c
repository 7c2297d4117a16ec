/*
 * Unit tests for src/vet/fold.c: constant folding of the string tricks
 * obfuscators use, on expressions parsed with the bundled grammar.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vet/vet_priv.h"

struct parsed {
	struct gw_vet_ast ast;
	struct gw_vet_arena arena;
	char src[512];
	char names[8][128];
};

/* The right-hand side of "x = EXPR". */
static uint32_t parse_expr(struct parsed *p, const char *expr)
{
	uint32_t stmt, assign;

	snprintf(p->src, sizeof(p->src), "x = %s\n", expr);
	assert_int_equal(gw_vet_ast_parse(&p->ast, p->src, strlen(p->src)), 0);
	assert_int_equal(p->ast.first_error, GW_VET_NONE);
	stmt = gw_vet_first_named(&p->ast, 0);
	assign = gw_vet_first_named(&p->ast, stmt);
	return gw_vet_child_field(&p->ast, assign, F_RIGHT);
}

/* Identifiers are builtins; attributes keep their dotted text. */
static const char *call_name(void *ctx, uint32_t func)
{
	struct parsed *p = ctx;
	const struct gw_vet_node *n = &p->ast.nodes[func];
	static unsigned slot;
	char *out = p->names[slot++ % 8];
	int len = (int)(n->end - n->start);

	if (n->kind == K_IDENTIFIER)
		snprintf(out, 128, "builtins.%.*s", len, p->src + n->start);
	else if (n->kind == K_ATTRIBUTE)
		snprintf(out, 128, "%.*s", len, p->src + n->start);
	else
		return NULL;
	if (strcmp(out, "bytes.fromhex") == 0)
		return "builtins.bytes.fromhex";
	return out;
}

static bool fold(struct parsed *p, const char *expr, struct gw_vet_str *out)
{
	struct gw_vet_fold_env env = { 0 };
	uint32_t n;

	memset(&p->arena, 0, sizeof(p->arena));
	n = parse_expr(p, expr);
	env.ast = &p->ast;
	env.arena = &p->arena;
	env.ctx = p;
	env.call_name = call_name;
	if (!gw_vet_fold_string(&env, n, out))
		return false;
	out->decoded = env.decoded;
	return true;
}

static void done(struct parsed *p)
{
	gw_vet_ast_release(&p->ast);
	gw_vet_arena_free(&p->arena);
}

struct fold_case {
	const char *expr;
	const char *want;
	bool decoded; /* a decoder, chr() or byte list took part */
};

static const struct fold_case fold_cases[] = {
	{ "'exec'", "exec", false },
	{ "'ex' 'ec'", "exec", false },
	{ "'ex' + 'ec'", "exec", false },
	{ "'e' * 2", "ee", false },
	{ "'%s%s' % ('sy', 'stem')", "system", false },
	{ "'%c' % 101", "e", true },
	{ "'{}{}'.format('po', 'pen')", "popen", false },
	{ "'{1}{0}'.format('al', 'ev')", "eval", false },
	{ "f\"{'ex'}ec\"", "exec", false },
	{ "''.join(['s', 'y', 's'])", "sys", false },
	{ "'.'.join(('os', 'system'))", "os.system", false },
	{ "chr(101) + chr(0x78) + chr(0o145) + chr(0b1100011)", "exec", true },
	{ "chr(100 + 1)", "e", true },
	{ "''.join(chr(c) for c in [101, 118, 97, 108])", "eval", true },
	{ "''.join([chr(c ^ 1) for c in (100, 119)])", "ev", true },
	{ "''.join(map(chr, [111, 115]))", "os", true },
	{ "'cexe'[::-1]", "exec", false },
	{ "'xexecx'[1:5]", "exec", false },
	{ "'e_x_e_c'.replace('_', '')", "exec", false },
	{ "'EXEC'.lower()", "exec", false },
	{ "'\\x65\\x78\\x65\\x63'", "exec", false },
	{ "'\\u0065val'", "eval", false },
	{ "'\\N{LATIN SMALL LETTER E}val'", "eval", false },
	{ "'\\145val'", "eval", false },
	{ "r'\\x65'", "\\x65", false },
	{ "bytes.fromhex('6f73').decode()", "os", true },
	{ "base64.b64decode('b3Muc3lzdGVt')", "os.system", true },
	{ "codecs.decode('flfgrz', 'rot13')", "system", true },
	{ "bytes([101, 118]).decode()", "ev", true },
	{ "os.path.join('/etc', 'passwd')", "/etc/passwd", false },
	{ "os.path.join('a', '/etc', 'shadow')", "/etc/shadow", false },
	{ "pathlib.Path('/root') / '.ssh'", "/root/.ssh", false },
	{ "str(42)", "42", false },
	{ "'%d' % 7", "7", false },
};

static void fold_table_gives_expected_strings(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fold_cases) / sizeof(*fold_cases); i++) {
		const struct fold_case *c = &fold_cases[i];
		struct parsed p;
		struct gw_vet_str s;

		memset(&p, 0, sizeof(p));
		if (!fold(&p, c->expr, &s))
			fail_msg("%s: did not fold", c->expr);
		if (s.len != strlen(c->want) || memcmp(s.ptr, c->want, s.len))
			fail_msg("%s: got '%.*s', want '%s'", c->expr,
				 (int)s.len, s.ptr, c->want);
		if (s.decoded != c->decoded)
			fail_msg("%s: decoded %d, want %d", c->expr, s.decoded,
				 c->decoded);
		done(&p);
	}
}

static void fold_marks_escapes_and_computation(void **state)
{
	struct parsed p = { 0 };
	struct gw_vet_str s;

	(void)state;
	assert_true(fold(&p, "'\\x65val'", &s));
	assert_true(s.escaped);
	assert_false(s.computed);
	done(&p);
	memset(&p, 0, sizeof(p));
	assert_true(fold(&p, "'ev' + 'al'", &s));
	assert_true(s.computed);
	assert_false(s.escaped);
	done(&p);
	memset(&p, 0, sizeof(p));
	assert_true(fold(&p, "'eval'", &s));
	assert_false(s.computed || s.escaped || s.decoded);
	done(&p);
}

static const char *const not_constant[] = {
	"name + 'x'",  "f'{name}x'",	 "''.join(parts)",   "chr(n)",
	"'%s' % (a,)", "'{}'.format(v)", "open('f').read()", "'%10s' % 'x'",
};

static void fold_refuses_what_is_not_constant(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(not_constant) / sizeof(*not_constant);
	     i++) {
		struct parsed p = { 0 };
		struct gw_vet_str s;

		if (fold(&p, not_constant[i], &s))
			fail_msg("%s: folded to '%.*s'", not_constant[i],
				 (int)s.len, s.ptr);
		done(&p);
	}
}

static void fold_caps_the_size_of_a_result(void **state)
{
	struct parsed p = { 0 };
	struct gw_vet_str s;

	(void)state;
	assert_false(fold(&p, "'abcd' * 100000", &s));
	done(&p);
	memset(&p, 0, sizeof(p));
	assert_true(fold(&p, "'ab' * 1000", &s));
	assert_int_equal(s.len, 2000);
	done(&p);
}

static void fold_int_handles_operators_and_ord(void **state)
{
	static const struct {
		const char *expr;
		int64_t want;
	} cases[] = {
		{ "1_000", 1000 },	{ "-5 // 2", -3 },
		{ "-5 % 3", 1 },	{ "2 ** 10", 1024 },
		{ "0xff ^ 0x0f", 240 }, { "1 << 4", 16 },
		{ "ord('e')", 101 },	{ "~0", -1 },
		{ "(3 + 4) * 2", 14 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct parsed p = { 0 };
		struct gw_vet_fold_env env = { 0 };
		uint32_t n = parse_expr(&p, cases[i].expr);
		int64_t v = 0;

		env.ast = &p.ast;
		env.arena = &p.arena;
		env.ctx = &p;
		env.call_name = call_name;
		if (!gw_vet_fold_int(&env, n, &v) || v != cases[i].want)
			fail_msg("%s: got %lld, want %lld", cases[i].expr,
				 (long long)v, (long long)cases[i].want);
		done(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fold_table_gives_expected_strings),
		cmocka_unit_test(fold_marks_escapes_and_computation),
		cmocka_unit_test(fold_refuses_what_is_not_constant),
		cmocka_unit_test(fold_caps_the_size_of_a_result),
		cmocka_unit_test(fold_int_handles_operators_and_ord),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
