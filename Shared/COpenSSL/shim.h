#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/err.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

/* Compound macros (bit-ors of other macros) are not imported by Swift: re-export them. */
static inline int copenssl_evp_pkey_public_key(void) { return EVP_PKEY_PUBLIC_KEY; }
static inline int copenssl_evp_pkey_keypair(void) { return EVP_PKEY_KEYPAIR; }

/* OSSL_PARAM_BLD_to_param copies values but NOT key names: each OSSL_PARAM's key keeps pointing at
 * the string passed to OSSL_PARAM_BLD_push_*. Swift's bridged temporaries (even inside withCString)
 * are gone by the time the params are used, so pass these static C literals as builder keys. */
static inline const char *copenssl_param_group_name(void) { return OSSL_PKEY_PARAM_GROUP_NAME; }
static inline const char *copenssl_param_pub_key(void) { return OSSL_PKEY_PARAM_PUB_KEY; }
static inline const char *copenssl_param_priv_key(void) { return OSSL_PKEY_PARAM_PRIV_KEY; }
#endif
