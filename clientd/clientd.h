#ifndef CLIENTD_H
#define CLIENTD_H

#include "sandbox.h"
#include "worker.h"

extern const struct sandbox_policy clientd_policy;

#endif
