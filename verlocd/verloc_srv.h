/*
 * The verloc listener (doc/spec/verloc.md): answers peers' echo
 * packets as nym-node does.  verlocd holds no secret, so the replies'
 * signatures come from the master (IMSG_VERLOC_SIGN).
 */
#ifndef VERLOCD_VERLOC_SRV_H
#define VERLOCD_VERLOC_SRV_H

#include <stdint.h>

#include <event2/event.h>

#include "accept.h"

struct verloc_srv;

/* Asks for the signature of an echo; id comes back with the answer.
 * Returns -1 if it could not be asked. */
typedef int	(*verloc_sign_cb)(const uint8_t *echo, uint32_t id, void *);

struct verloc_counters {
	uint64_t	 connections;		/* accepted */
	uint64_t	 replies;		/* echo packets answered */
	uint64_t	 bad_packets;		/* refused: connection dropped */
	uint64_t	 refused_full;
	uint64_t	 refused_per_address;
	uint64_t	 timeouts;		/* idle connections closed */
	uint64_t	 sign_refused;		/* the master said no */
};

struct verloc_srv	*verloc_srv_new(struct event_base *,
			    struct accept_pause *, unsigned max_conns,
			    verloc_sign_cb, void *);
void			 verloc_srv_listen(struct verloc_srv *, int fd);
void			 verloc_srv_set_prefix(struct verloc_srv *, unsigned);
/* The master's answer to request id: ok and the signature. */
void			 verloc_srv_signed(struct verloc_srv *, uint32_t id,
			    int ok, const uint8_t sig[64]);
const struct verloc_counters *verloc_srv_counters(const struct verloc_srv *);

#endif
