#ifndef CREDD_H
#define CREDD_H

#include "sandbox.h"
#include "worker.h"

extern const struct sandbox_policy credd_policy;

#endif
