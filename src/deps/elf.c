/*
 * Bundled native code: the headers of an ELF file, read as the dynamic
 * loader would find them (the program headers, not the section table, which
 * a hostile file may strip or fake), with every offset and size checked
 * against the file before it is used. What is kept: class, byte order,
 * type, machine, DT_SONAME and the DT_NEEDED names. Reads go through a
 * small callback so that the same parser serves files (pread) and memory
 * (tests and the fuzz harness).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "deps/audit.h"

/* What the parse needs from the identity and the program headers. */
struct elf_ctx {
	gw_elf_read_fn read;
	void *arg;
	uint64_t size;
	bool is64, be;
	struct gw_error *err;
};

static uint64_t get(const struct elf_ctx *c, const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[c->be ? n - 1 - i : i] << (8 * i);
	return v;
}

/* Read n bytes at off, after checking that they lie inside the file. */
static int fetch(const struct elf_ctx *c, uint64_t off, void *buf, size_t n)
{
	if (off > c->size || n > c->size - off)
		return gw_error_set(c->err, -EINVAL,
				    "ELF header points past the end of the "
				    "file");
	return c->read(c->arg, off, buf, n);
}

/* One program header: its type, offset, address and size in the file. */
struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, filesz;
};

static int read_phdr(const struct elf_ctx *c, uint64_t off, struct phdr *ph)
{
	unsigned char b[56];
	size_t n = c->is64 ? 56 : 32;
	int rc = fetch(c, off, b, n);

	if (rc < 0)
		return rc;
	ph->type = (uint32_t)get(c, b, 4);
	if (c->is64) {
		ph->offset = get(c, b + 8, 8);
		ph->vaddr = get(c, b + 16, 8);
		ph->filesz = get(c, b + 32, 8);
	} else {
		ph->offset = get(c, b + 4, 4);
		ph->vaddr = get(c, b + 8, 4);
		ph->filesz = get(c, b + 16, 4);
	}
	return 0;
}

/* The file offset of a virtual address, through the PT_LOAD segments. */
static int vaddr_to_off(const struct phdr *loads, size_t n, uint64_t addr,
			uint64_t *off)
{
	for (size_t i = 0; i < n; i++)
		if (addr >= loads[i].vaddr &&
		    addr - loads[i].vaddr < loads[i].filesz) {
			*off = loads[i].offset + (addr - loads[i].vaddr);
			return 0;
		}
	return -EINVAL;
}

/* The string at strtab + at, cut to cap - 1 bytes, NUL-terminated. */
static int read_str(const struct elf_ctx *c, uint64_t strtab, uint64_t strsz,
		    uint64_t at, char *out, size_t cap)
{
	uint64_t n = cap - 1;
	int rc;

	out[0] = '\0';
	if (at >= strsz || strtab > c->size || at > c->size - strtab)
		return gw_error_set(c->err, -EINVAL,
				    "dynamic string outside its table");
	if (n > strsz - at)
		n = strsz - at;
	if (n > c->size - strtab - at)
		n = c->size - strtab - at;
	rc = fetch(c, strtab + at, out, (size_t)n);
	out[rc < 0 ? 0 : n] = '\0';
	return rc;
}

/* The identity and the file header. */
static int parse_header(struct elf_ctx *c, struct gw_elf_info *out,
			uint64_t *phoff, size_t *phnum, size_t *phentsize)
{
	unsigned char h[64];
	int rc;

	if (c->size < 52)
		return gw_error_set(c->err, -ENOEXEC, "too short to be ELF");
	rc = c->read(c->arg, 0, h, c->size < 64 ? 52 : 64);
	if (rc < 0)
		return rc;
	if (memcmp(h, ELFMAG, SELFMAG) != 0)
		return gw_error_set(c->err, -ENOEXEC, "not an ELF file");
	if ((h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
		return gw_error_set(c->err, -EINVAL,
				    "unknown ELF class or byte order");
	c->is64 = h[EI_CLASS] == ELFCLASS64;
	c->be = h[EI_DATA] == ELFDATA2MSB;
	if (c->is64 && c->size < 64)
		return gw_error_set(c->err, -EINVAL, "truncated ELF header");
	out->elf_class = c->is64 ? 64 : 32;
	out->big_endian = c->be;
	out->type = (uint16_t)get(c, h + 16, 2);
	out->machine = (uint16_t)get(c, h + 18, 2);
	*phoff = c->is64 ? get(c, h + 32, 8) : get(c, h + 28, 4);
	*phentsize = (size_t)get(c, h + (c->is64 ? 54 : 42), 2);
	*phnum = (size_t)get(c, h + (c->is64 ? 56 : 44), 2);
	if (*phnum == 0)
		return 0;
	if (*phnum > GW_ELF_MAX_PHDRS || *phentsize < (c->is64 ? 56u : 32u))
		return gw_error_set(c->err, -EINVAL,
				    "implausible program header table");
	return 0;
}

/* The dynamic segment: the string table, then SONAME and NEEDED. */
static int parse_dynamic(const struct elf_ctx *c, const struct phdr *dyn,
			 const struct phdr *loads, size_t nloads,
			 struct gw_elf_info *out)
{
	size_t ent = c->is64 ? 16 : 8, n = (size_t)(dyn->filesz / ent);
	uint64_t strtab = 0, strsz = 0, soname = UINT64_MAX, off;
	uint64_t needed[GW_ELF_MAX_NEEDED];
	size_t nneeded = 0;
	unsigned char b[16];
	uint64_t tag, val;
	int rc;

	if (n > GW_ELF_MAX_DYN_ENTRIES)
		return gw_error_set(c->err, -EINVAL,
				    "too many dynamic entries");
	for (size_t i = 0; i < n; i++) {
		rc = fetch(c, dyn->offset + i * ent, b, ent);
		if (rc < 0)
			return rc;
		tag = get(c, b, ent / 2);
		val = get(c, b + ent / 2, ent / 2);

		if (tag == DT_NULL)
			break;
		if (tag == DT_STRTAB)
			strtab = val;
		else if (tag == DT_STRSZ)
			strsz = val;
		else if (tag == DT_SONAME)
			soname = val;
		else if (tag == DT_NEEDED && nneeded < GW_ELF_MAX_NEEDED)
			needed[nneeded++] = val;
	}
	if (soname == UINT64_MAX && nneeded == 0)
		return 0;
	if (vaddr_to_off(loads, nloads, strtab, &off) < 0)
		return gw_error_set(c->err, -EINVAL,
				    "dynamic string table not in any segment");
	if (soname != UINT64_MAX) {
		rc = read_str(c, off, strsz, soname, out->soname,
			      sizeof(out->soname));
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < nneeded; i++) {
		rc = read_str(c, off, strsz, needed[i], out->needed[i],
			      sizeof(out->needed[i]));
		if (rc < 0)
			return rc;
		out->nneeded = i + 1;
	}
	return 0;
}

int gw_elf_parse(gw_elf_read_fn read, void *arg, uint64_t size,
		 struct gw_elf_info *out, struct gw_error *err)
{
	struct elf_ctx c = { read, arg, size, false, false, err };
	struct phdr loads[64], dyn = { 0 }, ph;
	size_t phnum = 0, phentsize = 0, nloads = 0;
	bool has_dyn = false;
	uint64_t phoff = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = parse_header(&c, out, &phoff, &phnum, &phentsize);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < phnum; i++) {
		if (phoff > size || i * phentsize > size - phoff)
			return gw_error_set(err, -EINVAL,
					    "program headers past the end");
		rc = read_phdr(&c, phoff + i * phentsize, &ph);
		if (rc < 0)
			return rc;
		if (ph.type == PT_LOAD &&
		    nloads < sizeof(loads) / sizeof(*loads))
			loads[nloads++] = ph;
		else if (ph.type == PT_DYNAMIC && !has_dyn)
			dyn = ph, has_dyn = true;
	}
	out->has_dynamic = has_dyn;
	return has_dyn ? parse_dynamic(&c, &dyn, loads, nloads, out) : 0;
}

struct mem {
	const unsigned char *p;
	size_t len;
};

static int mem_read(void *arg, uint64_t off, void *buf, size_t n)
{
	const struct mem *m = arg;

	if (off > m->len || n > m->len - off)
		return -EIO;
	memcpy(buf, m->p + off, n);
	return 0;
}

int gw_elf_parse_mem(const void *data, size_t len, struct gw_elf_info *out,
		     struct gw_error *err)
{
	struct mem m = { data, len };

	return gw_elf_parse(mem_read, &m, len, out, err);
}

static int fd_read(void *arg, uint64_t off, void *buf, size_t n)
{
	int fd = *(int *)arg;
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)buf + done, n - done,
				  (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

int gw_elf_parse_file(const char *path, struct gw_elf_info *out,
		      struct gw_error *err)
{
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return gw_error_set(err, -errno, "cannot open: %s",
				    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return gw_error_set(err, -ENOEXEC, "not a regular file");
	}
	rc = gw_elf_parse(fd_read, &fd, (uint64_t)st.st_size, out, err);
	close(fd);
	return rc;
}

static const struct {
	uint16_t machine;
	const char *name;
} machines[] = {
	{ EM_386, "x86" },
	{ EM_X86_64, "x86-64" },
	{ EM_ARM, "ARM" },
	{ EM_AARCH64, "AArch64" },
	{ EM_PPC, "PowerPC" },
	{ EM_PPC64, "PowerPC64" },
	{ EM_S390, "S/390" },
	{ EM_RISCV, "RISC-V" },
	{ EM_MIPS, "MIPS" },
	{ EM_SPARCV9, "SPARC V9" },
	{ EM_LOONGARCH, "LoongArch" },
};

const char *gw_elf_machine_name(uint16_t machine, char *buf, size_t cap)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (machines[i].machine == machine) {
			snprintf(buf, cap, "%s", machines[i].name);
			return buf;
		}
	snprintf(buf, cap, "machine 0x%x", machine);
	return buf;
}

const char *gw_elf_type_name(uint16_t type)
{
	switch (type) {
	case ET_REL: return "relocatable";
	case ET_EXEC: return "executable";
	case ET_DYN: return "shared object";
	case ET_CORE: return "core dump";
	default: return "unknown type";
	}
}
