/*
 * What the build came from, for /api/v1/build-information: written by
 * mk/buildinfo.sh into $(O)/gen/buildinfo.c, so it changes when the
 * commit does and never with the wall clock.
 */
#ifndef GW_BUILDINFO_H
#define GW_BUILDINFO_H

extern const char gw_build_commit_sha[];	/* 40 hex, or "unknown" */
extern const char gw_build_commit_timestamp[];	/* RFC 3339 UTC */
extern const char gw_build_commit_branch[];
extern const char gw_build_timestamp[];		/* SOURCE_DATE_EPOCH, else
						 * the commit's date */
extern const char gw_build_target[];		/* $(CC) -dumpmachine */
#endif
