/* SPDX-License-Identifier: MIT */
#include "map/nodeflags.h"

#include <netinet/in.h>
#include <stddef.h>

/*
 * Phala's node image starts the node from dockerfile.d/start_node.sh
 * (github.com/Phala-Network/khala-docker): the parachain with
 * `--port 30333 ... $PARACHAIN_EXTRA_ARGS`, then `--` and the relay chain
 * with `--port 30334 ... $RELAYCHAIN_EXTRA_ARGS`. Phala's solo worker
 * guide sets the same two variables in the `environment:` of its docker
 * compose file (service "node", image phalanetwork/phala-node-with-launcher).
 * A port other than those two defaults is not one the image's script names.
 */
const char *nodeflags_phala_env(uint16_t internal_port, uint8_t protocol)
{
	if (protocol != IPPROTO_TCP)
		return NULL;
	if (internal_port == 30333)
		return "PARACHAIN_EXTRA_ARGS";
	if (internal_port == 30334)
		return "RELAYCHAIN_EXTRA_ARGS";
	return NULL;
}
