/* Table 27-2 (LOGS.md P1-P6): the IPsec rows, played through each side's
 * datapath (ESP in the world) after a clean Main Mode + Quick Mode. Each
 * fault case also sends clean traffic after the fault: the SA is not
 * harmed by a packet it refused. */
#include "ikelab/isakmp_types.h"
#include "ikelab/rules.h"
#include "scenario.h"

/* Established, then one clean packet each way. */
#define UP TRIGGER(SIDE_A, 1), RUN(60000)

/* A refused ESP packet from A, then a clean one that still gets through. */
#define ESP_FAULT(how, line)                                                               \
  .actions = ACTIONS(UP, TRAFFIC(SIDE_A, 1, how), TRAFFIC(SIDE_A, 1, ESP_CLEAN)),           \
  .expect = {{.absent = LINES(line), .ipsec_up = EXACTLY(1)},                               \
             {.in_order = LINES("Phase 1 IKE SA process done", line), .count_line = line,   \
              .count = 1, .esp_delivered = EXACTLY(1), .ipsec_up = EXACTLY(1)}}

static const struct scenario cases[] = {
    {.id = "P1-wan-ip-changed", .covers = "P1", .what = "A's public address changes: its SAs are dropped, nothing sent", .tweak = NULL, ACTIONS(UP, {.kind = ACT_ADDRESS, .side = SIDE_A, .arg = IPV4(10, 0, 0, 3)}),
     {{.in_order = LINES("Phase 1 IKE SA process done", "!! WAN IP changed to <10.0.0.3>"),
       .count_line = "!! WAN IP changed to <10.0.0.3>", .count = 1, .ipsec_up = EXACTLY(0),
       .ike_sas = EXACTLY(0)},
      /* B hears nothing: its SAs stay until they expire or are replaced. */
      {.absent = LINES("!! WAN IP changed to <10.0.0.3>"), .ipsec_up = EXACTLY(1)}}},
    {.id = "P2-unknown-spi", .covers = "P2", .what = "an ESP packet with an SPI B never made", .tweak = NULL, ESP_FAULT(ESP_FLIP_SPI, "!! Cannot find Phase 2 SA")},
    {.id = "P3-replay", .covers = "P3", .what = "A's previous ESP packet delivered again", .tweak = NULL, .actions = ACTIONS(UP, TRAFFIC(SIDE_A, 1, ESP_CLEAN), TRAFFIC(SIDE_A, 1, ESP_REPLAY_LAST),
                        TRAFFIC(SIDE_A, 1, ESP_CLEAN)),
     .expect = {{.absent = LINES("!! Discard REPLAY packet")},
                {.count_line = "!! Discard REPLAY packet", .count = 1,
                 .esp_delivered = EXACTLY(2), .ipsec_up = EXACTLY(1)}}},
    {.id = "P4-icv", .covers = "P4", .what = "an ESP packet whose ICV's last byte is flipped", .tweak = NULL, ESP_FAULT(ESP_FLIP_ICV, "!! Inbound packet authentication failed")},
    {.id = "P5-trailer", .covers = "P5", .what = "an authentic ESP packet whose trailer names TCP in a tunnel SA", .tweak = NULL, ESP_FAULT(ESP_BAD_TRAILER, "!! Inbound packet decryption failed")},
    {.id = "P6-idle", .covers = "P6",
     .what = "no traffic either way for 2 minutes: both sides disconnect, with Deletes",
     .actions = ACTIONS(UP, RUN(70000)),
     .expect = {{.in_order = LINES("Phase 1 IKE SA process done",
                                   "Rule <#1> idle time out, disconnect", "Send:<HASH><DEL>"),
                 .count_line = "Rule <#1> idle time out, disconnect", .count = 1,
                 .ipsec_up = EXACTLY(0), .ike_sas = EXACTLY(0)},
                {.count_line = "Rule <#1> idle time out, disconnect", .count = 1,
                 .ipsec_up = EXACTLY(0), .ike_sas = EXACTLY(0)}},
     .wire = WIRE({SIDE_A, ISAKMP_XCHG_INFO, "<HASH><DEL>", 0},
                  {SIDE_B, ISAKMP_XCHG_INFO, "<HASH><DEL>", 0})},
    {.id = "P6-one-way", .covers = "P6",
     .what = "traffic only from B: B times out alone and its Deletes end A's SAs",
     .actions = ACTIONS(UP, TRAFFIC(SIDE_B, 1, ESP_CLEAN), RUN(70000)),
     .expect = {{.absent = LINES("Rule <#1> idle time out, disconnect"), .ipsec_up = EXACTLY(0),
                 .esp_delivered = EXACTLY(1)},
                {.count_line = "Rule <#1> idle time out, disconnect", .count = 1,
                 .ipsec_up = EXACTLY(0)}}},
    {.id = "P6-busy", .covers = "P6", .what = "traffic every minute: no idle time-out in four minutes", .tweak = NULL, ACTIONS(UP, TRAFFIC(SIDE_B, 1, ESP_CLEAN), TRAFFIC(SIDE_A, 1, ESP_CLEAN), RUN(60000),
             TRAFFIC(SIDE_B, 1, ESP_CLEAN), TRAFFIC(SIDE_A, 1, ESP_CLEAN), RUN(60000),
             TRAFFIC(SIDE_B, 1, ESP_CLEAN), TRAFFIC(SIDE_A, 1, ESP_CLEAN), RUN(60000),
             TRAFFIC(SIDE_B, 1, ESP_CLEAN), TRAFFIC(SIDE_A, 1, ESP_CLEAN), RUN(60000)),
     {{.absent = LINES("Rule <#1> idle time out, disconnect"), .ipsec_up = EXACTLY(1),
       .esp_delivered = EXACTLY(4)},
      {.absent = LINES("Rule <#1> idle time out, disconnect"), .ipsec_up = EXACTLY(1),
       .esp_delivered = EXACTLY(4)}}},
};

const struct scenario_table datapath_cases = {cases, sizeof cases / sizeof cases[0]};
