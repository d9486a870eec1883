/* SPDX-License-Identifier: MIT */
/* rpc_decode: the first byte picks the method, the rest is the HTTP body
 * (request id 1). */
#include "fuzz.h"
#include "proto/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_reply r;

	if (size < 1)
		return 0;
	rpc_decode((enum rpc_method)(data[0] % RPC_METHOD_COUNT), 1, (const char *)data + 1,
		   size - 1, &r);
	return 0;
}
