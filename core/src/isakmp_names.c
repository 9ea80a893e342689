/* Name tables generated from the X-macro lists of isakmp_types.h. */
#include "ikelab/isakmp_types.h"

#include <stddef.h>

#define NAME_ROW(e, v, name, ...) {v, name},
#define NAME_TABLE(var, LIST)                                     \
  static const struct isakmp_name var##_rows[] = {LIST(NAME_ROW)}; \
  const struct isakmp_names var = {var##_rows, sizeof var##_rows / sizeof var##_rows[0]};

NAME_TABLE(isakmp_payload_names, ISAKMP_PAYLOAD_TYPES)
NAME_TABLE(isakmp_exchange_names, ISAKMP_EXCHANGE_TYPES)
NAME_TABLE(isakmp_notify_names, ISAKMP_NOTIFY_TYPES)
NAME_TABLE(isakmp_doi_names, ISAKMP_DOI_VALUES)
NAME_TABLE(isakmp_situation_names, ISAKMP_SITUATIONS)
NAME_TABLE(isakmp_protocol_names, ISAKMP_PROTOCOLS)
NAME_TABLE(isakmp_isakmp_transform_names, ISAKMP_ISAKMP_TRANSFORMS)
NAME_TABLE(isakmp_ah_transform_names, ISAKMP_AH_TRANSFORMS)
NAME_TABLE(isakmp_esp_transform_names, ISAKMP_ESP_TRANSFORMS)
NAME_TABLE(isakmp_ipcomp_transform_names, ISAKMP_IPCOMP_TRANSFORMS)
NAME_TABLE(oakley_attr_names, ISAKMP_OAKLEY_ATTRS)
NAME_TABLE(ipsec_attr_names, ISAKMP_IPSEC_ATTRS)
NAME_TABLE(oakley_encr_names, ISAKMP_OAKLEY_ENCRYPTION)
NAME_TABLE(oakley_hash_names, ISAKMP_OAKLEY_HASH)
NAME_TABLE(oakley_auth_names, ISAKMP_OAKLEY_AUTH)
NAME_TABLE(oakley_group_names, ISAKMP_OAKLEY_GROUPS)
NAME_TABLE(isakmp_life_names, ISAKMP_LIFE_TYPES)
NAME_TABLE(ipsec_encap_names, ISAKMP_ENCAP_MODES)
NAME_TABLE(ipsec_auth_names, ISAKMP_IPSEC_AUTH_ALGS)
NAME_TABLE(isakmp_id_names, ISAKMP_ID_TYPES)
NAME_TABLE(isakmp_cert_names, ISAKMP_CERT_ENCODINGS)

const char *isakmp_name_of(const struct isakmp_names *table, uint32_t value)
{
  for (unsigned i = 0; i < table->count; i++)
    if (table->rows[i].value == value)
      return table->rows[i].name;
  return NULL;
}

const char *isakmp_name_or_unknown(const struct isakmp_names *table, uint32_t value)
{
  const char *name = isakmp_name_of(table, value);
  return name ? name : "UNKNOWN";
}

#define SYMBOL_CASE(e, v, name, symbol) \
  case v:                               \
    return symbol;

const char *isakmp_payload_symbol(uint8_t type)
{
  switch (type) {
    ISAKMP_PAYLOAD_TYPES(SYMBOL_CASE)
  default:
    return NULL;
  }
}

/* The two lookups every datagram makes are switches, not table scans: the
 * decoder asks them per payload, and a scan costs a compare per row. */
#define NAME_CASE(e, v, name, ...) \
  case v:                          \
    return name;

const char *isakmp_payload_name(uint8_t type)
{
  switch (type) {
    ISAKMP_PAYLOAD_TYPES(NAME_CASE)
  default:
    return NULL;
  }
}

bool isakmp_payload_type_known(uint8_t type)
{
  return type != ISAKMP_NP_NONE && isakmp_payload_name(type) != NULL;
}

bool isakmp_exchange_type_known(uint8_t type)
{
  switch (type) {
    ISAKMP_EXCHANGE_TYPES(NAME_CASE)
  default:
    return false;
  }
}

const struct isakmp_names *isakmp_transform_names_for(uint8_t protocol)
{
  switch (protocol) {
  case ISAKMP_PROTO_ISAKMP:
    return &isakmp_isakmp_transform_names;
  case ISAKMP_PROTO_AH:
    return &isakmp_ah_transform_names;
  case ISAKMP_PROTO_ESP:
    return &isakmp_esp_transform_names;
  case ISAKMP_PROTO_IPCOMP:
    return &isakmp_ipcomp_transform_names;
  default:
    return NULL;
  }
}

const struct isakmp_names *isakmp_attr_names_for(uint8_t protocol)
{
  return protocol == ISAKMP_PROTO_ISAKMP ? &oakley_attr_names : &ipsec_attr_names;
}

#define BASIC_CASE(e, v, name, basic) \
  case v:                             \
    return basic;

bool isakmp_attr_basic_only(uint8_t protocol, uint16_t type)
{
  if (protocol == ISAKMP_PROTO_ISAKMP) {
    switch (type) {
      ISAKMP_OAKLEY_ATTRS(BASIC_CASE)
    default:
      return false;
    }
  }
  switch (type) {
    ISAKMP_IPSEC_ATTRS(BASIC_CASE)
  default:
    return false;
  }
}

const struct isakmp_names *isakmp_attr_value_names(uint8_t protocol, uint16_t type)
{
  if (protocol == ISAKMP_PROTO_ISAKMP) {
    switch (type) {
    case OAKLEY_ATTR_ENCRYPTION_ALGORITHM:
      return &oakley_encr_names;
    case OAKLEY_ATTR_HASH_ALGORITHM:
      return &oakley_hash_names;
    case OAKLEY_ATTR_AUTH_METHOD:
      return &oakley_auth_names;
    case OAKLEY_ATTR_GROUP_DESCRIPTION:
      return &oakley_group_names;
    case OAKLEY_ATTR_LIFE_TYPE:
      return &isakmp_life_names;
    default:
      return NULL;
    }
  }
  switch (type) {
  case IPSEC_ATTR_SA_LIFE_TYPE:
    return &isakmp_life_names;
  case IPSEC_ATTR_GROUP_DESCRIPTION:
    return &oakley_group_names;
  case IPSEC_ATTR_ENCAPSULATION_MODE:
    return &ipsec_encap_names;
  case IPSEC_ATTR_AUTH_ALGORITHM:
    return &ipsec_auth_names;
  default:
    return NULL;
  }
}
