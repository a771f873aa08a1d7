/*
 * Private to config.c and config_print.c: the one table of keys that the
 * parser, the printer and config_restart_key() all walk, so that a key
 * added in one place cannot be forgotten in the others.
 */
#ifndef GW_CONFIG_INT_H
#define GW_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

enum config_ktype {
	CK_SECTION,	/* nested mapping; its keys follow it in the table */
	CK_USER,	/* char[GW_USER_MAX], a login name */
	CK_PATH,	/* char[PATH_MAX], not empty */
	CK_HOST,	/* char[GW_HOST_MAX], may be empty */
	CK_PORT,	/* uint16_t */
	CK_LISTEN,	/* struct gw_listen_set */
	CK_URLS,	/* nym_api_urls[] and n_nym_api_urls */
	CK_BOOL,	/* int */
	CK_UINT,	/* uint32_t */
	CK_MSEC,	/* uint32_t milliseconds, written as a duration */
	CK_SEC,		/* uint32_t seconds, written as a duration */
	CK_SIZE32,	/* uint32_t bytes, written as a size */
	CK_SIZE64	/* uint64_t bytes, written as a size */
};

struct config_key {
	const char		*name;		/* within its mapping */
	const char		*full;		/* dotted, for messages */
	enum config_ktype	 type;
	int			 parent;	/* index of section, -1: top */
	size_t			 off;		/* in struct gw_config */
	/* Allowed range; milliseconds for durations, bytes for sizes. */
	long long		 min, max;
	int			 restart;	/* a change needs a restart */
};

extern const struct config_key	config_keys[];
extern const size_t		config_nkeys;

/* Formatting shared by the printer and the parser's range messages. */
void	config_fmt_duration(char *, size_t, uint64_t ms);
void	config_fmt_size(char *, size_t, uint64_t bytes);
/* Print a string as a YAML scalar, quoting it only when needed. */
void	config_print_scalar(FILE *, const char *);

#endif
