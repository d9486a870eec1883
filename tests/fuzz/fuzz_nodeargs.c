/* SPDX-License-Identifier: MIT */
/* nodeargs_parse: the bytes are /proc/PID/cmdline (NUL-separated argv);
 * nodeargs_container: the same bytes as /proc/PID/cgroup. */
#include "fuzz.h"
#include "proto/nodeargs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nodeargs a;
	char c[64];

	if (nodeargs_container((const char *)data, size, c, sizeof(c)) == 1)
		FUZZ_CHECK(c[0] != '\0');
	if (nodeargs_parse((const char *)data, size, &a) < 0)
		return 0;
	FUZZ_CHECK(a.n_chains >= 1 && a.n_chains <= NODEARGS_MAX_CHAINS);
	for (size_t i = 0; i < a.n_chains; i++) {
		FUZZ_CHECK(a.chain[i].n_public <= NODEARGS_MAX_ADDRS);
		FUZZ_CHECK(a.chain[i].n_listen <= NODEARGS_MAX_ADDRS);
		FUZZ_CHECK(a.chain[i].port <= 65535);
		FUZZ_CHECK(nodeargs_in_peers(&a.chain[i]) >= 0);
	}
	for (const char *p = a.prog; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
	return 0;
}
