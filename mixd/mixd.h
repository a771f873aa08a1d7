#ifndef MIXD_H
#define MIXD_H

#include "sandbox.h"
#include "worker.h"

extern const struct sandbox_policy mixd_policy;

#endif
