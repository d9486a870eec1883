/* SPDX-License-Identifier: MIT */
/*
 * What a node operator adds to the node's configuration for a mapping:
 * here, where Phala's docker images take a chain's extra node flags. Pure.
 */
#ifndef ND_MAP_NODEFLAGS_H
#define ND_MAP_NODEFLAGS_H

#include <stdint.h>

/*
 * The environment variable of Phala's node image (khala-node, phala-node)
 * that takes the extra flags of the chain listening on internal_port:
 * "PARACHAIN_EXTRA_ARGS" for 30333/tcp (the parachain's --port),
 * "RELAYCHAIN_EXTRA_ARGS" for 30334/tcp (the relay chain's, after "--");
 * NULL for any other port or protocol. Static strings.
 */
const char *nodeflags_phala_env(uint16_t internal_port, uint8_t protocol);

#endif
