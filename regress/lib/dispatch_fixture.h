/*
 * One message into a process's dispatcher as its channel delivers it:
 * checked against the role table's row first (a message failing it is
 * fatal in the daemon before any dispatcher runs), then dispatched.
 * The fixtures of storaged and clientd share it.
 */
#ifndef DISPATCH_FIXTURE_H
#define DISPATCH_FIXTURE_H

#include <string.h>

#include "proc.h"
#include "roles.h"

/* NULL, or why the row refused it. */
static inline const char *
fixture_deliver(struct imsgev *iev, enum gw_proc from, uint32_t type,
    uint32_t peerid, const void *data, size_t len)
{
	struct imsg	 imsg;
	const char	*why;

	if ((why = gw_msg_check_in(type, from, len, 0)) != NULL)
		return why;
	memset(&imsg, 0, sizeof(imsg));
	imsg.hdr.type = type;
	imsg.hdr.peerid = peerid;
	imsg.hdr.len = (uint32_t)(IMSG_HDR_SIZE + len);
	imsg.data = data;
	imsg.datalen = len;
	imsg.fd = -1;
	iev->dispatch(iev, &imsg);
	return NULL;
}

#endif
