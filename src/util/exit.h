/* SPDX-License-Identifier: MIT */
/*
 * Exit statuses, the same for every subcommand (docs/REPORT.md lists them).
 */
#ifndef ND_UTIL_EXIT_H
#define ND_UTIL_EXIT_H

enum {
	ND_EXIT_OK = 0,	      /* nothing wrong */
	ND_EXIT_PROBLEM = 1,  /* the run worked and found problems (or below target) */
	ND_EXIT_USAGE = 2,    /* bad flags or arguments: nothing was tested */
	ND_EXIT_NOTEST = 3,   /* could not test: no network at all, no source worked */
	ND_EXIT_INTERNAL = 4, /* out of memory or a bug; the message says which */
	/* map only: the router's WAN address is private or shared, a provider
	 * NAT stands in front of it: no mapping on the router can help */
	ND_EXIT_PROVIDER_NAT = 5,
};

#endif
