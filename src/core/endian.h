/*
 * Little-endian loads and stores on byte buffers, for the wire formats.
 * They work on any alignment and any host byte order.
 */
#ifndef GW_CORE_ENDIAN_H
#define GW_CORE_ENDIAN_H

#include <stdint.h>

static inline void gw_put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void gw_put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void gw_put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint16_t gw_get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t gw_get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t gw_get_le64(const unsigned char *p)
{
	return (uint64_t)gw_get_le32(p) | (uint64_t)gw_get_le32(p + 4) << 32;
}

#endif /* GW_CORE_ENDIAN_H */
