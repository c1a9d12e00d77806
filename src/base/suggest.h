/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "Did you mean" lists for unknown names (-p, -c): one edit distance and one way of
 * picking the closest candidates, for every list of names.
 */
#ifndef ISPFLASH_SUGGEST_H
#define ISPFLASH_SUGGEST_H

#include <stddef.h>

/* Longest name compared; longer names are compared by their first SUGGEST_MAXLEN chars. */
#define SUGGEST_MAXLEN 40

/* Optimal string alignment distance between a[0..la) and b[0..lb), case-insensitive,
 * in half-steps: insert, delete, transpose and substitute cost 2, except that
 * substituting a neighbouring key of a QWERTY keyboard costs 1 (so "atmega32u5" is
 * closer to atmega32u4 than to atmega32u2). */
int suggest_distance(const char *a, size_t la, const char *b, size_t lb);

/* The indices of the n candidates whose dist[i] is at most limit, closest first, ties
 * in index order; writes at most max of them to out and returns how many. */
size_t suggest_pick(const int *dist, size_t n, int limit, size_t *out, size_t max);

#endif
