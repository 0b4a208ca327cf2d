-- Hand-made raw layer (docs/data-contracts.md §2) for the dbt core tests: a few real-shaped
-- payloads per provider (docs/formats.md §1-3) covering retroactive stitching, alias, a shared device,
-- bot traffic, the 30-minute session edge, machine opens, bounces and CRM outcomes.
create schema if not exists raw;

create or replace table raw.web_events (
    _file varchar, _line integer, _loaded_at timestamptz, _batch_id varchar, _row_hash varchar, payload json,
    message_id varchar, event_type varchar, anonymous_id varchar, user_id varchar,
    event_at timestamptz, received_at timestamptz);

create or replace table raw.email_events (
    _file varchar, _line integer, _loaded_at timestamptz, _batch_id varchar, _row_hash varchar, payload json,
    provider varchar, provider_event_id varchar, event_name varchar, email varchar, occurred_at timestamptz);

create or replace table raw.form_submissions (
    _file varchar, _line integer, _loaded_at timestamptz, _batch_id varchar, _row_hash varchar, payload json,
    provider varchar, form_id varchar, submission_id varchar, email varchar, submitted_at timestamptz);

create or replace table raw.lead_lists (
    _file varchar, _line integer, _loaded_at timestamptz, _batch_id varchar, _row_hash varchar, payload json,
    list_kind varchar, list_name varchar, email varchar);

create or replace table raw.crm_deals (
    _file varchar, _line integer, _loaded_at timestamptz, _batch_id varchar, _row_hash varchar, payload json,
    provider varchar, deal_id varchar, email varchar, updated_at timestamptz);

create or replace table raw.quarantine (
    source varchar, _file varchar, _line integer, reason varchar, payload varchar,
    _loaded_at timestamptz, _batch_id varchar);

create or replace table raw.load_manifest (
    path varchar, source varchar, size_bytes bigint, checksum varchar, batch_id varchar, loaded_at timestamptz,
    rows_in integer, rows_loaded integer, rows_duplicate integer, rows_quarantined integer, status varchar);

-- Web events: extracted columns are derived from the payload, as the ingestion does.
create or replace temp table _web (line integer, payload json);
insert into _web values
 -- anon-1 (Jane): blog visit from Google CPC, pricing 10 min later, identify next day (retroactive stitching)
 (1, '{"type":"page","messageId":"m-001","anonymousId":"anon-1","userId":null,"timestamp":"2024-05-01T10:00:00Z","originalTimestamp":"2024-05-01T10:00:01Z","receivedAt":"2024-05-01T10:00:02Z","properties":{"path":"/blog/why-crm","url":"https://acme.io/blog/why-crm?utm_source=google&utm_medium=cpc&utm_campaign=brand","referrer":"https://www.google.com/"},"context":{"userAgent":"Mozilla/5.0 (Windows NT 10.0) Chrome/124","page":{"path":"/blog/why-crm","url":"https://acme.io/blog/why-crm?utm_source=google&utm_medium=cpc&utm_campaign=brand","referrer":"https://www.google.com/"},"campaign":{"source":"google","medium":"cpc","name":"brand"}}}'),
 (2, '{"type":"page","messageId":"m-002","anonymousId":"anon-1","timestamp":"2024-05-01T10:10:00Z","receivedAt":"2024-05-01T10:10:01Z","properties":{"path":"/pricing","url":"https://acme.io/pricing"},"context":{"userAgent":"Mozilla/5.0 (Windows NT 10.0) Chrome/124","page":{"path":"/pricing","url":"https://acme.io/pricing","referrer":"https://acme.io/blog/why-crm"}}}'),
 (3, '{"type":"track","messageId":"m-003","anonymousId":"anon-1","event":"CTA Clicked","timestamp":"2024-05-01T10:11:00Z","receivedAt":"2024-05-01T10:11:01Z","properties":{"cta":"book-demo"},"context":{"userAgent":"Mozilla/5.0 (Windows NT 10.0) Chrome/124","page":{"path":"/pricing","url":"https://acme.io/pricing"}}}'),
 (4, '{"type":"identify","messageId":"m-004","anonymousId":"anon-1","userId":"u-jane","timestamp":"2024-05-02T09:00:00Z","receivedAt":"2024-05-02T09:00:01Z","traits":{"email":"  Jane@Acme.com ","firstName":"Jane","lastName":"Doe","title":"VP Marketing","company":{"name":"Acme","employee_count":250,"industry":"Software"}},"context":{"userAgent":"Mozilla/5.0 (Windows NT 10.0) Chrome/124"}}'),
 -- the same message delivered twice (dedupe on messageId keeps the earliest receivedAt)
 (5, '{"type":"page","messageId":"m-002","anonymousId":"anon-1","timestamp":"2024-05-01T10:10:00Z","receivedAt":"2024-05-01T10:12:00Z","properties":{"path":"/pricing","url":"https://acme.io/pricing"},"context":{"userAgent":"Mozilla/5.0 (Windows NT 10.0) Chrome/124","page":{"path":"/pricing","url":"https://acme.io/pricing"}}}'),
 -- anon-2 (Bob): no timestamp (originalTimestamp used), later alias to his email as userId
 (6, '{"type":"page","messageId":"m-006","anonymousId":"anon-2","originalTimestamp":"2024-05-03T08:00:00+02:00","receivedAt":"2024-05-03T06:00:05Z","properties":{"path":"/features/scoring","url":"https://acme.io/features/scoring?utm_source=linkedin&utm_medium=social&utm_campaign=launch"},"context":{"userAgent":"Mozilla/5.0 (Macintosh) Safari/605","campaign":{"source":"linkedin","medium":"social","name":"launch"},"page":{"path":"/features/scoring","url":"https://acme.io/features/scoring?utm_source=linkedin&utm_medium=social&utm_campaign=launch","referrer":"https://www.linkedin.com/"}}}'),
 (7, '{"type":"alias","messageId":"m-007","anonymousId":"anon-2","previousId":"anon-2","userId":"Bob@Globex.com","timestamp":"2024-05-03T06:05:00Z","receivedAt":"2024-05-03T06:05:01Z","context":{}}'),
 -- only receivedAt
 (8, '{"type":"page","messageId":"m-008","anonymousId":"anon-2","receivedAt":"2024-05-03T06:20:00Z","properties":{"path":"/careers","url":"https://acme.io/careers"},"context":{"userAgent":"Mozilla/5.0 (Macintosh) Safari/605","page":{"path":"/careers","url":"https://acme.io/careers"}}}'),
 -- anon-3: a shared kiosk identified as four different people: flagged, never stitched
 (9,  '{"type":"identify","messageId":"m-009","anonymousId":"anon-3","timestamp":"2024-05-04T09:00:00Z","receivedAt":"2024-05-04T09:00:00Z","traits":{"email":"k1@initech.com"}}'),
 (10, '{"type":"identify","messageId":"m-010","anonymousId":"anon-3","timestamp":"2024-05-04T09:10:00Z","receivedAt":"2024-05-04T09:10:00Z","traits":{"email":"k2@initech.com"}}'),
 (11, '{"type":"identify","messageId":"m-011","anonymousId":"anon-3","timestamp":"2024-05-04T09:20:00Z","receivedAt":"2024-05-04T09:20:00Z","traits":{"email":"k3@initech.com"}}'),
 (12, '{"type":"identify","messageId":"m-012","anonymousId":"anon-3","timestamp":"2024-05-04T09:30:00Z","receivedAt":"2024-05-04T09:30:00Z","traits":{"email":"k4@initech.com"}}'),
 (13, '{"type":"page","messageId":"m-013","anonymousId":"anon-3","timestamp":"2024-05-04T09:31:00Z","receivedAt":"2024-05-04T09:31:00Z","properties":{"path":"/demo","url":"https://acme.io/demo"},"context":{"userAgent":"Mozilla/5.0 Chrome/124","page":{"path":"/demo","url":"https://acme.io/demo"}}}'),
 -- anon-4: a crawler (bot flagged, not dropped), never identified
 (14, '{"type":"page","messageId":"m-014","anonymousId":"anon-4","timestamp":"2024-05-04T11:00:00Z","receivedAt":"2024-05-04T11:00:00Z","properties":{"path":"/","url":"https://acme.io/"},"context":{"userAgent":"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)","page":{"path":"/","url":"https://acme.io/"}}}'),
 -- anon-5 (Carol): gaps of 1799 s (same session) then 1800 s (new session); identify by userId = email
 (15, '{"type":"page","messageId":"m-015","anonymousId":"anon-5","timestamp":"2024-05-05T12:00:00Z","receivedAt":"2024-05-05T12:00:00Z","properties":{"path":"/docs/api","url":"https://acme.io/docs/api"},"context":{"userAgent":"Mozilla/5.0 Firefox/125","page":{"path":"/docs/api","url":"https://acme.io/docs/api","referrer":"https://news.ycombinator.com/"}}}'),
 (16, '{"type":"page","messageId":"m-016","anonymousId":"anon-5","timestamp":"2024-05-05T12:29:59Z","receivedAt":"2024-05-05T12:29:59Z","properties":{"path":"/integrations","url":"https://acme.io/integrations"},"context":{"userAgent":"Mozilla/5.0 Firefox/125","page":{"path":"/integrations","url":"https://acme.io/integrations"}}}'),
 (17, '{"type":"page","messageId":"m-017","anonymousId":"anon-5","timestamp":"2024-05-05T12:59:59Z","receivedAt":"2024-05-05T12:59:59Z","properties":{"path":"/pricing","url":"https://acme.io/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=may"},"context":{"userAgent":"Mozilla/5.0 Firefox/125","page":{"path":"/pricing","url":"https://acme.io/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=may"}}}'),
 (18, '{"type":"identify","messageId":"m-018","anonymousId":"anon-5","userId":"carol@gmail.com","timestamp":"2024-05-05T13:00:00Z","receivedAt":"2024-05-05T13:00:00Z","traits":{}}'),
 -- anon-6: arrives through a tagged email click (?ajs_uid=) of Dave
 (19, '{"type":"page","messageId":"m-019","anonymousId":"anon-6","timestamp":"2024-05-06T10:00:30Z","receivedAt":"2024-05-06T10:00:30Z","properties":{"path":"/webinars/spring","url":"https://acme.io/webinars/spring?utm_source=sendgrid&utm_medium=email&utm_campaign=webinar&ajs_uid=anon-6"},"context":{"userAgent":"Mozilla/5.0 Chrome/124","page":{"path":"/webinars/spring","url":"https://acme.io/webinars/spring?utm_source=sendgrid&utm_medium=email&utm_campaign=webinar&ajs_uid=anon-6"}}}'),
 -- anon-7: Erin, via a HubSpot form hutk
 (20, '{"type":"page","messageId":"m-020","anonymousId":"hutk-erin","timestamp":"2024-05-07T15:00:00Z","receivedAt":"2024-05-07T15:00:00Z","properties":{"path":"/demo","url":"https://acme.io/demo"},"context":{"userAgent":"Mozilla/5.0 Chrome/124","page":{"path":"/demo","url":"https://acme.io/demo"}}}');

insert into raw.web_events
select 'landing/web_events/dt=2024-05-01/segment-001.jsonl', line, timestamptz '2024-05-08 00:00:00+00', 'b-1', md5(payload::varchar), payload,
       json_extract_string(payload, '$.messageId'), json_extract_string(payload, '$.type'),
       json_extract_string(payload, '$.anonymousId'), json_extract_string(payload, '$.userId'),
       cast(coalesce(json_extract_string(payload, '$.timestamp'), json_extract_string(payload, '$.originalTimestamp'), json_extract_string(payload, '$.receivedAt')) as timestamptz),
       cast(json_extract_string(payload, '$.receivedAt') as timestamptz)
from _web;

-- Email events: SendGrid, Mailgun (full webhook body), SES (SNS-wrapped; Message is a JSON string)
insert into raw.email_events values
 ('landing/email_events/dt=2024-05-06/sendgrid-001.json', 1, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h1',
  '{"email":"dave@umbrella.co","timestamp":1714989600,"event":"delivered","sg_event_id":"sg-1","sg_message_id":"msg-d1","category":["webinar"],"marketing_campaign_name":"webinar"}',
  'sendgrid', 'sg-1', 'delivered', 'dave@umbrella.co', timestamptz '2024-05-06 10:00:00+00'),
 ('landing/email_events/dt=2024-05-06/sendgrid-001.json', 2, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h2',
  '{"email":"dave@umbrella.co","timestamp":1714989610,"event":"open","sg_event_id":"sg-2","sg_message_id":"msg-d1","sg_machine_open":true,"useragent":"Mozilla/5.0","category":"webinar"}',
  'sendgrid', 'sg-2', 'open', 'dave@umbrella.co', timestamptz '2024-05-06 10:00:10+00'),
 ('landing/email_events/dt=2024-05-06/sendgrid-001.json', 3, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h3',
  '{"email":"Dave@Umbrella.co ","timestamp":1714989625,"event":"click","sg_event_id":"sg-3","sg_message_id":"msg-d1","useragent":"Mozilla/5.0 Chrome/124","url":"https://acme.io/webinars/spring?utm_source=sendgrid&utm_medium=email&utm_campaign=webinar&ajs_uid=anon-6","category":["webinar","nurture"]}',
  'sendgrid', 'sg-3', 'click', 'Dave@Umbrella.co ', timestamptz '2024-05-06 10:00:25+00'),
 ('landing/email_events/dt=2024-05-06/sendgrid-001.json', 4, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h4',
  '{"email":"jane@acme.com","timestamp":1714989600,"event":"delivered","sg_event_id":"sg-4","sg_message_id":"msg-j1"}',
  'sendgrid', 'sg-4', 'delivered', 'jane@acme.com', timestamptz '2024-05-06 10:00:00+00'),
 ('landing/email_events/dt=2024-05-06/sendgrid-001.json', 5, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h5',
  '{"email":"jane@acme.com","timestamp":1714993200,"event":"open","sg_event_id":"sg-5","sg_message_id":"msg-j1","useragent":"Mozilla/5.0 (Windows NT 10.0)"}',
  'sendgrid', 'sg-5', 'open', 'jane@acme.com', timestamptz '2024-05-06 11:00:00+00'),
 ('landing/email_events/dt=2024-05-06/sendgrid-001.json', 6, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h6',
  '{"email":"jane@acme.com","timestamp":1714993300,"event":"bounce","type":"blocked","sg_event_id":"sg-6","sg_message_id":"msg-j2","reason":"mailbox full"}',
  'sendgrid', 'sg-6', 'bounce', 'jane@acme.com', timestamptz '2024-05-06 11:01:40+00'),
 ('landing/email_events/dt=2024-05-06/mailgun-001.jsonl', 1, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h7',
  '{"signature":{"timestamp":"1714989600","token":"t","signature":"s"},"event-data":{"event":"delivered","id":"mg-1","timestamp":1714989600.25,"recipient":"bob@globex.com","message":{"headers":{"message-id":"msg-b1"}},"tags":["launch"]}}',
  'mailgun', 'mg-1', 'delivered', 'bob@globex.com', timestamptz '2024-05-06 10:00:00.25+00'),
 ('landing/email_events/dt=2024-05-06/mailgun-001.jsonl', 2, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h8',
  '{"signature":{"timestamp":"1714989630","token":"t","signature":"s"},"event-data":{"event":"opened","id":"mg-2","timestamp":1714989630,"recipient":"bob@globex.com","message":{"headers":{"message-id":"msg-b1"}},"client-info":{"user-agent":"Mozilla/5.0"},"ip":"17.58.0.1","tags":["launch"]}}',
  'mailgun', 'mg-2', 'opened', 'bob@globex.com', timestamptz '2024-05-06 10:00:30+00'),
 ('landing/email_events/dt=2024-05-06/mailgun-001.jsonl', 3, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h9',
  '{"signature":{"timestamp":"1714996800","token":"t","signature":"s"},"event-data":{"event":"unsubscribed","id":"mg-3","timestamp":1714996800,"recipient":"bob@globex.com","message":{"headers":{"message-id":"msg-b1"}},"tags":["launch"]}}',
  'mailgun', 'mg-3', 'unsubscribed', 'bob@globex.com', timestamptz '2024-05-06 12:00:00+00'),
 ('landing/email_events/dt=2024-05-06/mailgun-001.jsonl', 4, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h10',
  '{"signature":{"timestamp":"1714996800","token":"t","signature":"s"},"event-data":{"event":"failed","severity":"permanent","id":"mg-4","timestamp":1714996800,"recipient":"frank@hooli.com","message":{"headers":{"message-id":"msg-f1"}}}}',
  'mailgun', 'mg-4', 'failed', 'frank@hooli.com', timestamptz '2024-05-06 12:00:00+00'),
 ('landing/email_events/dt=2024-05-06/ses-001.jsonl', 1, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h11',
  json_object('Type', 'Notification', 'MessageId', 'sns-1', 'Message', '{"eventType":"Delivery","mail":{"timestamp":"2024-05-06T10:00:00Z","messageId":"ses-m1","destination":["carol@gmail.com"],"tags":{"campaign":["may"]}},"delivery":{"timestamp":"2024-05-06T10:00:01Z"}}'),
  'ses', 'sns-1', 'Delivery', 'carol@gmail.com', timestamptz '2024-05-06 10:00:01+00'),
 ('landing/email_events/dt=2024-05-06/ses-001.jsonl', 2, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h12',
  json_object('Type', 'Notification', 'MessageId', 'sns-2', 'Message', '{"eventType":"Open","mail":{"timestamp":"2024-05-06T10:00:00Z","messageId":"ses-m1","destination":["carol@gmail.com"],"tags":{"campaign":["may"]}},"open":{"ipAddress":"17.1.1.1","timestamp":"2024-05-06T14:00:00Z","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"}}'),
  'ses', 'sns-2', 'Open', 'carol@gmail.com', timestamptz '2024-05-06 14:00:00+00'),
 ('landing/email_events/dt=2024-05-06/ses-001.jsonl', 3, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h13',
  json_object('Type', 'Notification', 'MessageId', 'sns-3', 'Message', '{"eventType":"Click","mail":{"timestamp":"2024-05-06T10:00:00Z","messageId":"ses-m1","destination":["carol@gmail.com"],"tags":{"campaign":["may"]}},"click":{"ipAddress":"203.0.113.9","timestamp":"2024-05-06T14:05:00Z","link":"https://acme.io/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=may","userAgent":"Mozilla/5.0 Firefox/125"}}'),
  'ses', 'sns-3', 'Click', 'carol@gmail.com', timestamptz '2024-05-06 14:05:00+00'),
 ('landing/email_events/dt=2024-05-06/ses-001.jsonl', 4, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'h14',
  json_object('Type', 'Notification', 'MessageId', 'sns-4', 'Message', '{"eventType":"Complaint","mail":{"timestamp":"2024-05-06T10:00:00Z","messageId":"ses-m2","destination":["carol@gmail.com"]},"complaint":{"timestamp":"2024-05-06T15:00:00Z","complainedRecipients":[{"emailAddress":"carol@gmail.com"}]}}'),
  'ses', 'sns-4', 'Complaint', 'carol@gmail.com', timestamptz '2024-05-06 15:00:00+00');

-- Form submissions: HubSpot v3 (form GUID from the file name), Typeform, urlencoded post (as a JSON object)
insert into raw.form_submissions values
 ('landing/form_submissions/dt=2024-05-07/hubspot__c4e6a8b0-5d7f-4a9b-8c2e-6f8a0b2d4e04-001.jsonl', 1, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'f1',
  '{"submittedAt":"1715094300000","fields":[{"objectTypeId":"0-1","name":"email","value":"Erin@Wayne.com"},{"objectTypeId":"0-1","name":"firstname","value":"Erin"},{"objectTypeId":"0-1","name":"lastname","value":"Wayne"},{"objectTypeId":"0-1","name":"company","value":"Wayne Enterprises"},{"objectTypeId":"0-1","name":"jobtitle","value":"Chief Technology Officer"},{"objectTypeId":"0-1","name":"numemployees","value":"1000+"},{"objectTypeId":"0-1","name":"country","value":"US"},{"objectTypeId":"0-1","name":"phone","value":"+15555550100"},{"objectTypeId":"0-1","name":"industry","value":"Manufacturing"},{"objectTypeId":"0-1","name":"budget","value":"50k-100k"},{"objectTypeId":"0-1","name":"timeline","value":"this_quarter"}],"context":{"hutk":"hutk-erin","pageUri":"https://acme.io/demo?utm_source=google&utm_medium=cpc&utm_campaign=brand","pageName":"Book a demo"},"legalConsentOptions":{"consent":{"consentToProcess":true,"text":"I agree","communications":[{"value":true,"subscriptionTypeId":999,"text":"Marketing email"}]}}}',
  'hubspot', 'c4e6a8b0-5d7f-4a9b-8c2e-6f8a0b2d4e04', 'hs-1', 'Erin@Wayne.com', timestamptz '2024-05-07 15:05:00+00'),
 ('landing/form_submissions/dt=2024-05-07/typeform-001.jsonl', 1, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'f2',
  '{"event_id":"01EK","event_type":"form_response","form_response":{"form_id":"g8hcyeXS","token":"tf-1","landed_at":"2024-05-02T09:30:00Z","submitted_at":"2024-05-02T09:31:10Z","hidden":{"utm_source":"linkedin","utm_medium":"social","utm_campaign":"survey","anonymous_id":"anon-1"},"answers":[{"type":"email","email":"jane@acme.com","field":{"id":"a1","ref":"work_email","type":"email"}},{"type":"choice","choice":{"label":"201-1000"},"field":{"id":"a2","ref":"company_size","type":"multiple_choice"}},{"type":"text","text":"VP Marketing","field":{"id":"a3","ref":"job_title","type":"short_text"}},{"type":"boolean","boolean":true,"field":{"id":"a4","ref":"consent","type":"yes_no"}}]}}',
  'typeform', 'g8hcyeXS', 'tf-1', 'jane@acme.com', timestamptz '2024-05-02 09:31:10+00'),
 ('landing/form_submissions/dt=2024-05-07/post__newsletter-footer-001.txt', 1, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'f3',
  '{"email":"gina@pied-piper.com","first_name":"Gina","company":"Pied Piper","company_size":"11-50","consent":"on","utm_source":"twitter","utm_medium":"social","utm_campaign":"launch","anonymous_id":"anon-8"}',
  'post', 'newsletter-footer', 'sha-post-1', 'gina@pied-piper.com', timestamptz '2024-05-07 16:00:00+00');

-- Lead lists: outbound imports (payload = the CSV row as a JSON object)
insert into raw.lead_lists values
 ('landing/lead_lists/dt=2024-05-02/purchased__q2-fintech.csv', 2, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'l1',
  '{"email":"frank@hooli.com","first_name":"Frank","last_name":"Hall","company":"Hooli","job_title":"Software Engineer","phone":"","country":"GB","industry":"Fintech","company_size":"5001-10000"}',
  'purchased', 'q2-fintech', 'frank@hooli.com'),
 ('landing/lead_lists/dt=2024-05-02/tradeshow__saastr.csv', 2, timestamptz '2024-05-08 00:00:00+00', 'b-1', 'l2',
  '{"email":"bob@globex.com","first_name":"Bob","last_name":"Stone","company":"Globex","job_title":"Head of Sales Operations","phone":"+4930123456","country":"DE","industry":"Retail","company_size":"51-200"}',
  'tradeshow', 'saastr', 'bob@globex.com');

-- CRM deals: HubSpot and Salesforce exports (payload = CSV row, strings)
insert into raw.crm_deals values
 ('landing/crm_deals/dt=2024-05-20/hubspot_deals-001.csv', 2, timestamptz '2024-05-20 00:00:00+00', 'b-2', 'c1',
  '{"deal_id":"hd-1","contact_email":"erin@wayne.com","hubspot_contact_id":"501","dealname":"Wayne - Pro","dealstage":"closedwon","amount":"48000","createdate":"2024-05-10T12:00:00Z","closedate":"2024-05-19T12:00:00Z","pipeline":"default"}',
  'hubspot', 'hd-1', 'erin@wayne.com', timestamptz '2024-05-19 12:00:00+00'),
 ('landing/crm_deals/dt=2024-05-20/salesforce_opportunities-001.csv', 2, timestamptz '2024-05-20 00:00:00+00', 'b-2', 'c2',
  '{"Id":"006A1","Lead_Email__c":"Jane@Acme.com","ContactId":"003J1","Name":"Acme - Starter","StageName":"Proposal/Price Quote","Amount":"12000.50","CreatedDate":"2024-05-12T08:00:00Z","CloseDate":"","IsClosed":"false","IsWon":"false"}',
  'salesforce', '006A1', 'Jane@Acme.com', timestamptz '2024-05-12 08:00:00+00'),
 ('landing/crm_deals/dt=2024-05-20/salesforce_opportunities-001.csv', 3, timestamptz '2024-05-20 00:00:00+00', 'b-2', 'c3',
  '{"Id":"006B1","Lead_Email__c":"bob@globex.com","ContactId":"003B1","Name":"Globex - Pro","StageName":"Closed Lost","Amount":"30000","CreatedDate":"2024-05-13T08:00:00Z","CloseDate":"2024-05-18","IsClosed":"true","IsWon":"false"}',
  'salesforce', '006B1', 'bob@globex.com', timestamptz '2024-05-18 00:00:00+00');

insert into raw.quarantine values
 ('web_events', 'landing/web_events/dt=2024-05-01/segment-001.jsonl', 21, 'malformed_json', '{"type":"page",', timestamptz '2024-05-08 00:00:00+00', 'b-1');

insert into raw.load_manifest values
 ('landing/web_events/dt=2024-05-01/segment-001.jsonl', 'web_events', 9000, 'abc', 'b-1', timestamptz '2024-05-08 00:00:00+00', 21, 20, 0, 1, 'loaded');
