/*
 * /api/v1/metrics/verloc (doc/spec/verloc.md 6): verlocd's two runs as
 * the master relays them (IMSG_VERLOC_RESULTS, in chunks), served as
 * nym-node's VerlocStats JSON, kept ready as text.  Pure: messages in,
 * text out, for the unit test and the fuzzer.
 */
#ifndef NODE_VERLOC_H
#define NODE_VERLOC_H

#include <stddef.h>
#include <stdint.h>

#include "gw_imsg.h"

struct node_verloc_run {
	struct gw_verloc_results	 h;	/* the first chunk's header */
	struct gw_verloc_result		*r;	/* h.total entries */
	uint32_t			 got;
};

struct node_verloc {
	struct node_verloc_run	 arriving[2];	/* previous, current */
	struct node_verloc_run	 shown[2];
	char			*json;		/* malloc'd */
	size_t			 len;
};

void	node_verloc_init(struct node_verloc *);
/* One IMSG_VERLOC_RESULTS payload: -1 if it breaks the contract
 * (sizes, chunk order, a state or count out of range), else 0; the
 * text changes when a run's last chunk is in. */
int	node_verloc_feed(struct node_verloc *, const void *, size_t);
void	node_verloc_free(struct node_verloc *);

#endif
