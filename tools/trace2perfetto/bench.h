/*
 * trace2perfetto --bench: conversion speed on a synthetic capture.
 */
#ifndef T2P_BENCH_H
#define T2P_BENCH_H

int bench_run(long events);

#endif
