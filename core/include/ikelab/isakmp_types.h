/* Numbers of ISAKMP (RFC 2408), the IPsec DOI (RFC 2407), IKEv1 (RFC 2409),
 * NAT-T (RFC 3947) and DPD (RFC 3706), each list written once as an X-macro
 * so that the enum and the name table used by the dissector cannot drift. */
#ifndef IKELAB_ISAKMP_TYPES_H
#define IKELAB_ISAKMP_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* Payload types: X(ENUM, value, name, log symbol or NULL). */
#define ISAKMP_PAYLOAD_TYPES(X)            \
  X(NONE, 0, "NONE", NULL)                 \
  X(SA, 1, "SA", "SA")                     \
  X(P, 2, "PROPOSAL", "PROP")              \
  X(T, 3, "TRANSFORM", "TRANS")            \
  X(KE, 4, "KE", "KE")                     \
  X(ID, 5, "ID", "ID")                     \
  X(CERT, 6, "CERT", "CER")                \
  X(CR, 7, "CR", "CER_REQ")                \
  X(HASH, 8, "HASH", "HASH")               \
  X(SIG, 9, "SIG", "SIG")                  \
  X(NONCE, 10, "NONCE", "NONCE")           \
  X(N, 11, "NOTIFY", "NOTFY")              \
  X(D, 12, "DELETE", "DEL")                \
  X(VID, 13, "VENDOR_ID", "VID")           \
  X(NATD, 20, "NAT_D", "NAT_D")            \
  X(NATOA, 21, "NAT_OA", "NAT_OA")         \
  X(NATD_DRAFT, 130, "NAT_D_DRAFT", "NAT_D") \
  X(NATOA_DRAFT, 131, "NAT_OA_DRAFT", "NAT_OA")

#define ISAKMP_EXCHANGE_TYPES(X)           \
  X(BASE, 1, "BASE")                       \
  X(IDPROT, 2, "IDENTITY_PROTECTION")      \
  X(AUTH_ONLY, 3, "AUTHENTICATION_ONLY")   \
  X(AGGRESSIVE, 4, "AGGRESSIVE")           \
  X(INFO, 5, "INFORMATIONAL")              \
  X(QUICK, 32, "QUICK_MODE")               \
  X(NEW_GROUP, 33, "NEW_GROUP_MODE")

#define ISAKMP_NOTIFY_TYPES(X)                        \
  X(INVALID_PAYLOAD_TYPE, 1, "INVALID-PAYLOAD-TYPE")     \
  X(DOI_NOT_SUPPORTED, 2, "DOI-NOT-SUPPORTED")           \
  X(SITUATION_NOT_SUPPORTED, 3, "SITUATION-NOT-SUPPORTED") \
  X(INVALID_COOKIE, 4, "INVALID-COOKIE")                 \
  X(INVALID_MAJOR_VERSION, 5, "INVALID-MAJOR-VERSION")   \
  X(INVALID_MINOR_VERSION, 6, "INVALID-MINOR-VERSION")   \
  X(INVALID_EXCHANGE_TYPE, 7, "INVALID-EXCHANGE-TYPE")   \
  X(INVALID_FLAGS, 8, "INVALID-FLAGS")                   \
  X(INVALID_MESSAGE_ID, 9, "INVALID-MESSAGE-ID")         \
  X(INVALID_PROTOCOL_ID, 10, "INVALID-PROTOCOL-ID")      \
  X(INVALID_SPI, 11, "INVALID-SPI")                      \
  X(INVALID_TRANSFORM_ID, 12, "INVALID-TRANSFORM-ID")    \
  X(ATTRIBUTES_NOT_SUPPORTED, 13, "ATTRIBUTES-NOT-SUPPORTED") \
  X(NO_PROPOSAL_CHOSEN, 14, "NO-PROPOSAL-CHOSEN")        \
  X(BAD_PROPOSAL_SYNTAX, 15, "BAD-PROPOSAL-SYNTAX")      \
  X(PAYLOAD_MALFORMED, 16, "PAYLOAD-MALFORMED")          \
  X(INVALID_KEY_INFORMATION, 17, "INVALID-KEY-INFORMATION") \
  X(INVALID_ID_INFORMATION, 18, "INVALID-ID-INFORMATION") \
  X(INVALID_CERT_ENCODING, 19, "INVALID-CERT-ENCODING")  \
  X(INVALID_CERTIFICATE, 20, "INVALID-CERTIFICATE")      \
  X(CERT_TYPE_UNSUPPORTED, 21, "CERT-TYPE-UNSUPPORTED")  \
  X(INVALID_CERT_AUTHORITY, 22, "INVALID-CERT-AUTHORITY") \
  X(INVALID_HASH_INFORMATION, 23, "INVALID-HASH-INFORMATION") \
  X(AUTHENTICATION_FAILED, 24, "AUTHENTICATION-FAILED")  \
  X(INVALID_SIGNATURE, 25, "INVALID-SIGNATURE")          \
  X(ADDRESS_NOTIFICATION, 26, "ADDRESS-NOTIFICATION")    \
  X(NOTIFY_SA_LIFETIME, 27, "NOTIFY-SA-LIFETIME")        \
  X(CERTIFICATE_UNAVAILABLE, 28, "CERTIFICATE-UNAVAILABLE") \
  X(UNSUPPORTED_EXCHANGE_TYPE, 29, "UNSUPPORTED-EXCHANGE-TYPE") \
  X(UNEQUAL_PAYLOAD_LENGTHS, 30, "UNEQUAL-PAYLOAD-LENGTHS") \
  X(CONNECTED, 16384, "CONNECTED")                       \
  X(RESPONDER_LIFETIME, 24576, "RESPONDER-LIFETIME")     \
  X(REPLAY_STATUS, 24577, "REPLAY-STATUS")               \
  X(INITIAL_CONTACT, 24578, "INITIAL-CONTACT")           \
  X(R_U_THERE, 36136, "R-U-THERE")                       \
  X(R_U_THERE_ACK, 36137, "R-U-THERE-ACK")

#define ISAKMP_DOI_VALUES(X) \
  X(ISAKMP, 0, "ISAKMP")     \
  X(IPSEC, 1, "IPSEC")

#define ISAKMP_SITUATIONS(X)            \
  X(IDENTITY_ONLY, 1, "SIT_IDENTITY_ONLY") \
  X(SECRECY, 2, "SIT_SECRECY")          \
  X(INTEGRITY, 4, "SIT_INTEGRITY")

#define ISAKMP_PROTOCOLS(X)       \
  X(ISAKMP, 1, "PROTO_ISAKMP")    \
  X(AH, 2, "PROTO_IPSEC_AH")      \
  X(ESP, 3, "PROTO_IPSEC_ESP")    \
  X(IPCOMP, 4, "PROTO_IPCOMP")

#define ISAKMP_ISAKMP_TRANSFORMS(X) X(KEY_IKE, 1, "KEY_IKE")

#define ISAKMP_AH_TRANSFORMS(X)  \
  X(MD5, 2, "AH_MD5")            \
  X(SHA, 3, "AH_SHA")            \
  X(DES, 4, "AH_DES")            \
  X(SHA2_256, 5, "AH_SHA2-256")  \
  X(SHA2_384, 6, "AH_SHA2-384")  \
  X(SHA2_512, 7, "AH_SHA2-512")

#define ISAKMP_ESP_TRANSFORMS(X)    \
  X(DES_IV64, 1, "ESP_DES_IV64")    \
  X(DES, 2, "ESP_DES")              \
  X(3DES, 3, "ESP_3DES")            \
  X(RC5, 4, "ESP_RC5")              \
  X(IDEA, 5, "ESP_IDEA")            \
  X(CAST, 6, "ESP_CAST")            \
  X(BLOWFISH, 7, "ESP_BLOWFISH")    \
  X(3IDEA, 8, "ESP_3IDEA")          \
  X(DES_IV32, 9, "ESP_DES_IV32")    \
  X(RC4, 10, "ESP_RC4")             \
  X(NULL, 11, "ESP_NULL")           \
  X(AES_CBC, 12, "ESP_AES-CBC")     \
  X(AES_CTR, 13, "ESP_AES-CTR")     \
  X(AES_CCM_8, 14, "ESP_AES-CCM-8") \
  X(AES_CCM_12, 15, "ESP_AES-CCM-12") \
  X(AES_CCM_16, 16, "ESP_AES-CCM-16") \
  X(AES_GCM_8, 18, "ESP_AES-GCM-8") \
  X(AES_GCM_12, 19, "ESP_AES-GCM-12") \
  X(AES_GCM_16, 20, "ESP_AES-GCM-16") \
  X(NULL_AUTH_AES_GMAC, 23, "ESP_NULL-AUTH-AES-GMAC")

#define ISAKMP_IPCOMP_TRANSFORMS(X) \
  X(OUI, 1, "IPCOMP_OUI")           \
  X(DEFLATE, 2, "IPCOMP_DEFLATE")   \
  X(LZS, 3, "IPCOMP_LZS")           \
  X(LZJH, 4, "IPCOMP_LZJH")

/* Oakley attributes (RFC 2409 Appendix A): X(ENUM, value, name, basic-only). */
#define ISAKMP_OAKLEY_ATTRS(X)                     \
  X(ENCRYPTION_ALGORITHM, 1, "ENCRYPTION_ALGORITHM", 1) \
  X(HASH_ALGORITHM, 2, "HASH_ALGORITHM", 1)        \
  X(AUTH_METHOD, 3, "AUTHENTICATION_METHOD", 1)    \
  X(GROUP_DESCRIPTION, 4, "GROUP_DESCRIPTION", 1)  \
  X(GROUP_TYPE, 5, "GROUP_TYPE", 1)                \
  X(GROUP_PRIME, 6, "GROUP_PRIME", 0)              \
  X(GROUP_GENERATOR_ONE, 7, "GROUP_GENERATOR_ONE", 0) \
  X(GROUP_GENERATOR_TWO, 8, "GROUP_GENERATOR_TWO", 0) \
  X(GROUP_CURVE_A, 9, "GROUP_CURVE_A", 0)          \
  X(GROUP_CURVE_B, 10, "GROUP_CURVE_B", 0)         \
  X(LIFE_TYPE, 11, "LIFE_TYPE", 1)                 \
  X(LIFE_DURATION, 12, "LIFE_DURATION", 0)         \
  X(PRF, 13, "PRF", 1)                             \
  X(KEY_LENGTH, 14, "KEY_LENGTH", 1)               \
  X(FIELD_SIZE, 15, "FIELD_SIZE", 1)               \
  X(GROUP_ORDER, 16, "GROUP_ORDER", 0)

/* IPsec attributes (RFC 2407 §4.5, RFC 3947 encapsulation modes). */
#define ISAKMP_IPSEC_ATTRS(X)                      \
  X(SA_LIFE_TYPE, 1, "SA_LIFE_TYPE", 1)            \
  X(SA_LIFE_DURATION, 2, "SA_LIFE_DURATION", 0)    \
  X(GROUP_DESCRIPTION, 3, "GROUP_DESCRIPTION", 1)  \
  X(ENCAPSULATION_MODE, 4, "ENCAPSULATION_MODE", 1) \
  X(AUTH_ALGORITHM, 5, "AUTHENTICATION_ALGORITHM", 1) \
  X(KEY_LENGTH, 6, "KEY_LENGTH", 1)                \
  X(KEY_ROUNDS, 7, "KEY_ROUNDS", 1)                \
  X(COMPRESS_DICT_SIZE, 8, "COMPRESS_DICTIONARY_SIZE", 1) \
  X(COMPRESS_PRIVATE_ALG, 9, "COMPRESS_PRIVATE_ALGORITHM", 0)

#define ISAKMP_OAKLEY_ENCRYPTION(X) \
  X(DES_CBC, 1, "DES-CBC")          \
  X(IDEA_CBC, 2, "IDEA-CBC")        \
  X(BLOWFISH_CBC, 3, "Blowfish-CBC") \
  X(RC5_CBC, 4, "RC5-R16-B64-CBC")  \
  X(3DES_CBC, 5, "3DES-CBC")        \
  X(CAST_CBC, 6, "CAST-CBC")        \
  X(AES_CBC, 7, "AES-CBC")          \
  X(CAMELLIA_CBC, 8, "CAMELLIA-CBC")

#define ISAKMP_OAKLEY_HASH(X)     \
  X(MD5, 1, "MD5")                \
  X(SHA1, 2, "SHA")               \
  X(TIGER, 3, "Tiger")            \
  X(SHA2_256, 4, "SHA2-256")      \
  X(SHA2_384, 5, "SHA2-384")      \
  X(SHA2_512, 6, "SHA2-512")

#define ISAKMP_OAKLEY_AUTH(X)             \
  X(PSK, 1, "pre-shared key")             \
  X(DSS_SIG, 2, "DSS signatures")         \
  X(RSA_SIG, 3, "RSA signatures")         \
  X(RSA_ENC, 4, "Encryption with RSA")    \
  X(RSA_REV_ENC, 5, "Revised encryption with RSA") \
  X(XAUTH_INIT_PSK, 65001, "XAUTHInitPreShared") \
  X(XAUTH_RESP_PSK, 65002, "XAUTHRespPreShared")

#define ISAKMP_OAKLEY_GROUPS(X)   \
  X(MODP768, 1, "MODP-768 (group 1)")   \
  X(MODP1024, 2, "MODP-1024 (group 2)") \
  X(EC2N155, 3, "EC2N-155 (group 3)")   \
  X(EC2N185, 4, "EC2N-185 (group 4)")   \
  X(MODP1536, 5, "MODP-1536 (group 5)") \
  X(MODP2048, 14, "MODP-2048 (group 14)") \
  X(MODP3072, 15, "MODP-3072 (group 15)") \
  X(MODP4096, 16, "MODP-4096 (group 16)") \
  X(MODP6144, 17, "MODP-6144 (group 17)") \
  X(MODP8192, 18, "MODP-8192 (group 18)")

#define ISAKMP_LIFE_TYPES(X) \
  X(SECONDS, 1, "seconds")   \
  X(KILOBYTES, 2, "kilobytes")

#define ISAKMP_ENCAP_MODES(X)                    \
  X(TUNNEL, 1, "Tunnel")                         \
  X(TRANSPORT, 2, "Transport")                   \
  X(UDP_TUNNEL, 3, "UDP-Encapsulated-Tunnel")    \
  X(UDP_TRANSPORT, 4, "UDP-Encapsulated-Transport") \
  X(UDP_TUNNEL_DRAFT, 61443, "UDP-Encapsulated-Tunnel (draft)") \
  X(UDP_TRANSPORT_DRAFT, 61444, "UDP-Encapsulated-Transport (draft)")

#define ISAKMP_IPSEC_AUTH_ALGS(X)     \
  X(HMAC_MD5, 1, "HMAC-MD5")          \
  X(HMAC_SHA1, 2, "HMAC-SHA")         \
  X(DES_MAC, 3, "DES-MAC")            \
  X(KPDK, 4, "KPDK")                  \
  X(HMAC_SHA2_256, 5, "HMAC-SHA2-256") \
  X(HMAC_SHA2_384, 6, "HMAC-SHA2-384") \
  X(HMAC_SHA2_512, 7, "HMAC-SHA2-512")

#define ISAKMP_ID_TYPES(X)                    \
  X(IPV4_ADDR, 1, "ID_IPV4_ADDR")             \
  X(FQDN, 2, "ID_FQDN")                       \
  X(USER_FQDN, 3, "ID_USER_FQDN")             \
  X(IPV4_ADDR_SUBNET, 4, "ID_IPV4_ADDR_SUBNET") \
  X(IPV6_ADDR, 5, "ID_IPV6_ADDR")             \
  X(IPV6_ADDR_SUBNET, 6, "ID_IPV6_ADDR_SUBNET") \
  X(IPV4_ADDR_RANGE, 7, "ID_IPV4_ADDR_RANGE") \
  X(IPV6_ADDR_RANGE, 8, "ID_IPV6_ADDR_RANGE") \
  X(DER_ASN1_DN, 9, "ID_DER_ASN1_DN")         \
  X(DER_ASN1_GN, 10, "ID_DER_ASN1_GN")        \
  X(KEY_ID, 11, "ID_KEY_ID")

#define ISAKMP_CERT_ENCODINGS(X)                    \
  X(PKCS7, 1, "PKCS #7 wrapped X.509")              \
  X(PGP, 2, "PGP")                                  \
  X(DNS_KEY, 3, "DNS Signed Key")                   \
  X(X509_SIG, 4, "X.509 Certificate - Signature")   \
  X(X509_KE, 5, "X.509 Certificate - Key Exchange") \
  X(KERBEROS, 6, "Kerberos Tokens")                 \
  X(CRL, 7, "Certificate Revocation List")          \
  X(ARL, 8, "Authority Revocation List")            \
  X(SPKI, 9, "SPKI Certificate")                    \
  X(X509_ATTR, 10, "X.509 Certificate - Attribute")


#define ISAKMP_DEFINE_ENUM(name, prefix, LIST)   \
  enum name {                                    \
    LIST(ISAKMP_ENUM_##prefix)                   \
  };

#define ISAKMP_ENUM_NP(e, v, ...) ISAKMP_NP_##e = v,
#define ISAKMP_ENUM_XCHG(e, v, ...) ISAKMP_XCHG_##e = v,
#define ISAKMP_ENUM_N(e, v, ...) ISAKMP_N_##e = v,
#define ISAKMP_ENUM_DOI(e, v, ...) ISAKMP_DOI_##e = v,
#define ISAKMP_ENUM_SIT(e, v, ...) ISAKMP_SIT_##e = v,
#define ISAKMP_ENUM_PROTO(e, v, ...) ISAKMP_PROTO_##e = v,
#define ISAKMP_ENUM_KEY(e, v, ...) ISAKMP_TRANSFORM_##e = v,
#define ISAKMP_ENUM_AH(e, v, ...) ISAKMP_AH_##e = v,
#define ISAKMP_ENUM_ESP(e, v, ...) ISAKMP_ESP_##e = v,
#define ISAKMP_ENUM_IPCOMP(e, v, ...) ISAKMP_IPCOMP_##e = v,
#define ISAKMP_ENUM_OAKLEY(e, v, ...) OAKLEY_ATTR_##e = v,
#define ISAKMP_ENUM_IPSECA(e, v, ...) IPSEC_ATTR_##e = v,
#define ISAKMP_ENUM_ENCR(e, v, ...) OAKLEY_ENCR_##e = v,
#define ISAKMP_ENUM_HASH(e, v, ...) OAKLEY_HASH_##e = v,
#define ISAKMP_ENUM_AUTH(e, v, ...) OAKLEY_AUTH_##e = v,
#define ISAKMP_ENUM_GROUP(e, v, ...) OAKLEY_GROUP_##e = v,
#define ISAKMP_ENUM_LIFE(e, v, ...) ISAKMP_LIFE_##e = v,
#define ISAKMP_ENUM_ENCAP(e, v, ...) IPSEC_ENCAP_##e = v,
#define ISAKMP_ENUM_IPAUTH(e, v, ...) IPSEC_AUTH_##e = v,
#define ISAKMP_ENUM_ID(e, v, ...) ISAKMP_ID_##e = v,
#define ISAKMP_ENUM_CERT(e, v, ...) ISAKMP_CERT_##e = v,

ISAKMP_DEFINE_ENUM(isakmp_payload_type, NP, ISAKMP_PAYLOAD_TYPES)
ISAKMP_DEFINE_ENUM(isakmp_exchange_type, XCHG, ISAKMP_EXCHANGE_TYPES)
ISAKMP_DEFINE_ENUM(isakmp_notify_type, N, ISAKMP_NOTIFY_TYPES)
ISAKMP_DEFINE_ENUM(isakmp_doi, DOI, ISAKMP_DOI_VALUES)
ISAKMP_DEFINE_ENUM(isakmp_situation, SIT, ISAKMP_SITUATIONS)
ISAKMP_DEFINE_ENUM(isakmp_proto, PROTO, ISAKMP_PROTOCOLS)
ISAKMP_DEFINE_ENUM(isakmp_isakmp_transform, KEY, ISAKMP_ISAKMP_TRANSFORMS)
ISAKMP_DEFINE_ENUM(isakmp_ah_transform, AH, ISAKMP_AH_TRANSFORMS)
ISAKMP_DEFINE_ENUM(isakmp_esp_transform, ESP, ISAKMP_ESP_TRANSFORMS)
ISAKMP_DEFINE_ENUM(isakmp_ipcomp_transform, IPCOMP, ISAKMP_IPCOMP_TRANSFORMS)
ISAKMP_DEFINE_ENUM(oakley_attr, OAKLEY, ISAKMP_OAKLEY_ATTRS)
ISAKMP_DEFINE_ENUM(ipsec_attr, IPSECA, ISAKMP_IPSEC_ATTRS)
ISAKMP_DEFINE_ENUM(oakley_encr, ENCR, ISAKMP_OAKLEY_ENCRYPTION)
ISAKMP_DEFINE_ENUM(oakley_hash, HASH, ISAKMP_OAKLEY_HASH)
ISAKMP_DEFINE_ENUM(oakley_auth, AUTH, ISAKMP_OAKLEY_AUTH)
ISAKMP_DEFINE_ENUM(oakley_group, GROUP, ISAKMP_OAKLEY_GROUPS)
ISAKMP_DEFINE_ENUM(isakmp_life_type, LIFE, ISAKMP_LIFE_TYPES)
ISAKMP_DEFINE_ENUM(ipsec_encap_mode, ENCAP, ISAKMP_ENCAP_MODES)
ISAKMP_DEFINE_ENUM(ipsec_auth_alg, IPAUTH, ISAKMP_IPSEC_AUTH_ALGS)
ISAKMP_DEFINE_ENUM(isakmp_id_type, ID, ISAKMP_ID_TYPES)
ISAKMP_DEFINE_ENUM(isakmp_cert_encoding, CERT, ISAKMP_CERT_ENCODINGS)

enum { ISAKMP_FLAG_E = 0x01, ISAKMP_FLAG_C = 0x02, ISAKMP_FLAG_A = 0x04 };
enum { ISAKMP_ATTR_AF = 0x8000 };

/* ---- names, for the dissector and error texts ---- */
struct isakmp_name {
  uint32_t value;
  const char *name;
};
struct isakmp_names {
  const struct isakmp_name *rows;
  unsigned count;
};

extern const struct isakmp_names isakmp_payload_names, isakmp_exchange_names,
    isakmp_notify_names, isakmp_doi_names, isakmp_situation_names, isakmp_protocol_names,
    isakmp_isakmp_transform_names, isakmp_ah_transform_names, isakmp_esp_transform_names,
    isakmp_ipcomp_transform_names, oakley_attr_names, ipsec_attr_names, oakley_encr_names,
    oakley_hash_names, oakley_auth_names, oakley_group_names, isakmp_life_names,
    ipsec_encap_names, ipsec_auth_names, isakmp_id_names, isakmp_cert_names;

/* The name of value in a table, or NULL. */
const char *isakmp_name_of(const struct isakmp_names *table, uint32_t value);
/* The name, or "UNKNOWN" — never NULL, for printing. */
const char *isakmp_name_or_unknown(const struct isakmp_names *table, uint32_t value);

/* Table 27-3 symbol of a payload type ("SA", "PROP", "NOTFY"...), or NULL. */
const char *isakmp_payload_symbol(uint8_t type);
/* True for payload types the codec decodes (everything listed above). */
/* A payload type's name ("SA", "VENDOR_ID"), NULL if unknown. */
const char *isakmp_payload_name(uint8_t type);
bool isakmp_payload_type_known(uint8_t type);
bool isakmp_exchange_type_known(uint8_t type);
/* The transform-id name table for a proposal's protocol, or NULL. */
const struct isakmp_names *isakmp_transform_names_for(uint8_t protocol);
/* The attribute-type name table for a proposal's protocol. */
const struct isakmp_names *isakmp_attr_names_for(uint8_t protocol);
/* True when RFC 2409 App. A / RFC 2407 §4.5 says the attribute is basic (TV). */
bool isakmp_attr_basic_only(uint8_t protocol, uint16_t type);
/* The value-name table of an attribute, or NULL when its value is a number. */
const struct isakmp_names *isakmp_attr_value_names(uint8_t protocol, uint16_t type);

#endif
