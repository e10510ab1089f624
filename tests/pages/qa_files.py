"""The small hand-checked exports of the display QA pass (/tmp/qa_figs, hand calculations in its expected.md).

F1: ping-pong and attribution; F2: still-waiting tier events and one answered with no work-resolved time;
F4: data errors (a negative time in tier, a priority the policy does not name, an unrecognised one, a blank
one). The names in them are made up.
"""

F1_PINGPONG = b"""\
issue_tracker,escalation_level,timeline_status,event_timestamp,resolution_timestamp,priority_level,product,Issue Type,Region,Country,School Name,Resolved By Name
101,TIER_1,OPEN,2025-09-01 08:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
101,TIER_1,IN_PROGRESS,2025-09-01 08:20:00,2025-09-01 08:40:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
101,TIER_2,ESCALATED,2025-09-01 08:40:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
101,TIER_2,IN_PROGRESS,2025-09-01 09:10:00,2025-09-01 10:00:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Brian Ochieng
101,TIER_1,ESCALATED,2025-09-01 10:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
101,TIER_1,IN_PROGRESS,2025-09-01 10:30:01,2025-09-01 10:45:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
101,TIER_2,ESCALATED,2025-09-01 10:45:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
101,TIER_2,IN_PROGRESS,2025-09-01 11:00:00,2025-09-01 11:10:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Brian Ochieng
101,TIER_2,RESOLVED,2025-09-01 11:10:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Brian Ochieng
101,TIER_2,CLOSED,2025-09-01 12:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Brian Ochieng
102,TIER_1,OPEN,2025-09-02 09:00:00,,MEDIUM,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
102,TIER_1,IN_PROGRESS,2025-09-02 09:00:00,2025-09-02 09:30:00,MEDIUM,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
102,TIER_1,IN_PROGRESS,2025-09-02 14:00:00,2025-09-03 12:00:00,MEDIUM,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
102,TIER_1,RESOLVED,2025-09-03 12:00:00,,MEDIUM,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
103,TIER_1,OPEN,2025-09-03 10:00:00,,LOW,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
103,TIER_1,IN_PROGRESS,2025-09-04 10:00:00,2025-09-05 10:00:00,LOW,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
103,TIER_3,ESCALATED,2025-09-05 10:00:00,,LOW,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
103,TIER_3,IN_PROGRESS,2025-09-10 10:00:00,2025-09-20 10:00:00,LOW,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Mercy Akinyi
103,TIER_3,IN_PROGRESS,2025-09-10 10:00:00,2025-09-11 10:00:00,LOW,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Daniel Kiptoo
103,TIER_3,RESOLVED,2025-09-20 10:00:00,,LOW,NOVA_FINANCE,Bug,Nairobi,Kenya,Greenhill Academy,Mercy Akinyi
104,TIER_1,OPEN,2025-09-05 09:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
104,TIER_2,IN_PROGRESS,2025-09-05 09:05:00,2025-09-05 09:10:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
104,TIER_1,ON_STANDBY,2025-09-05 09:10:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
104,TIER_1,IN_PROGRESS,2025-09-05 09:25:00,2025-09-05 09:40:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
104,TIER_1,RESOLVED,2025-09-05 09:40:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
105,UNGROUPED,OPEN,2025-09-06 10:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
105,UNGROUPED,IN_PROGRESS,2025-09-06 11:00:00,2025-09-06 12:00:00,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
105,UNGROUPED,RESOLVED,2025-09-06 12:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
"""

F2_WAITING = b"""\
issue_tracker,escalation_level,timeline_status,event_timestamp,resolution_timestamp,priority_level,product,Issue Type,Region,Country,School Name,Resolved By Name
201,TIER_1,OPEN,2025-10-31 11:30:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
202,TIER_1,OPEN,2025-10-31 11:29:59,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
203,TIER_1,OPEN,2025-10-20 09:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
203,TIER_1,IN_PROGRESS,2025-10-20 10:00:00,2025-10-20 12:00:00,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
203,TIER_2,ESCALATED,2025-10-20 12:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
203,TIER_2,RESOLVED,2025-10-21 09:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
204,TIER_1,OPEN,2025-10-25 08:00:00,,LOW,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
204,TIER_1,RESOLVED,2025-10-25 08:00:00,,LOW,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
205,TIER_1,OPEN,2025-10-01 09:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
205,TIER_1,IN_PROGRESS,2025-10-01 10:00:00,2025-10-01 11:00:00,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
205,TIER_1,RESOLVED,2025-10-01 11:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
205,TIER_2,ESCALATED,2025-10-10 09:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
206,TIER_1,OPEN,2025-10-30 09:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
206,TIER_1,IN_PROGRESS,2025-10-30 09:00:00,2025-10-30 09:20:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
207,TIER_1,OPEN,2025-10-05 09:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
207,TIER_1,RESOLVED,2025-10-05 10:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
207,TIER_1,OPEN,2025-10-06 09:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
207,TIER_1,IN_PROGRESS,2025-10-06 10:00:00,2025-10-06 15:00:00,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
207,TIER_1,RESOLVED,2025-10-06 15:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
208,TIER_1,OPEN,2025-10-15 09:00:00,,LOW,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
208,TIER_1,IN_PROGRESS,2025-10-16 09:00:00,,LOW,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
209,UNGROUPED,OPEN,2025-10-31 12:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
"""

F4_DATAERR = b"""\
issue_tracker,escalation_level,timeline_status,event_timestamp,resolution_timestamp,priority_level,product,Issue Type,Region,Country,School Name,Resolved By Name
401,TIER_1,OPEN,2025-08-04 10:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
401,TIER_1,IN_PROGRESS,2025-08-04 10:10:00,2025-08-04 09:00:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
401,TIER_1,RESOLVED,2025-08-04 09:30:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
402,TIER_1,OPEN,2025-08-05 10:00:00,,CRITICAL,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
402,TIER_1,IN_PROGRESS,2025-08-05 12:00:00,2025-08-05 13:00:00,CRITICAL,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
402,TIER_1,RESOLVED,2025-08-05 13:00:00,,CRITICAL,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
403,TIER_1,OPEN,2025-08-06 10:00:00,,Blocker-ish,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
403,TIER_1,IN_PROGRESS,2025-08-06 10:45:00,2025-08-06 11:00:00,Blocker-ish,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
404,TIER_1,OPEN,2025-08-07 10:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
404,TIER_1,OPEN,2025-08-07 10:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
404,TIER_1,IN_PROGRESS,2025-08-07 10:20:00,2025-08-07 10:50:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
404,TIER_1,RESOLVED,2025-08-07 10:50:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
405,TIER_1,OPEN,2025-08-08 09:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
405,TIER_1,IN_PROGRESS,2025-08-08 09:30:00,2025-08-08 10:00:00,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
405,TIER_2,ESCALATED,2025-08-08 10:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Alice Moraa
405,TIER_2,ESCALATED,2025-08-08 10:00:00,,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Brian Ochieng
405,TIER_2,IN_PROGRESS,2025-08-09 11:00:00,2025-08-09 12:00:00,MEDIUM,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
406,TIER_1,OPEN,2025-08-10 10:00:00,,,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
406,TIER_1,IN_PROGRESS,2025-08-18 10:00:00,2025-08-18 11:00:00,LOW,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
,TIER_1,OPEN,2025-08-12 10:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
407,TIER_1,OPEN,2025-08-11 10:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
407,TIER_1,IN_PROGRESS,,2025-08-11 10:30:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
407,TIER_1,IN_PROGRESS,not a date,2025-08-11 10:30:00,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
408,UNGROUPED,OPEN,2025-08-20 12:00:00,,HIGH,NOVA_FLOW,Bug,Nairobi,Kenya,Greenhill Academy,Grace Wanjiru
"""
