-- Fills an empty, migrated Remiss database at benchmark scale with set operations
-- (generate_series, INSERT ... SELECT), never row by row. Run by scripts/bench:
--
--   psql -v ON_ERROR_STOP=1 -v organs=50 -v users=2000 -v cases=1000000 \
--        -v meetings=2000 -v audit_events=5000000 -v password_hash='$argon2id$...' \
--        -f bench/fill.sql "$DATABASE_URL"
--
-- The shape of the data (the same at every size, only the volume changes):
--   * organs: the municipality's nämnder (20 facknämnder, then stadsdelsnämnder),
--     each with its own diarium prefix; every third may decide by delegation.
--   * users: per organ one registrator, two granskare, two nämndsekreterare and the
--     rest handläggare (usernames anv00001...; all with the same password), and
--     one extra account, `bench.skribent`, handläggare in every organ, which the
--     benchmark's write mix saves drafts with.
--   * referrals (cases / 10): registered evenly over the last ten years, titles
--     from a small Swedish vocabulary (the common word "trygghet" is in the title
--     or description of about one remiss in four, and in the report of about one
--     case in four; the rare word "fladdermöss" in one remiss in 20,000), 2 % secret.
--   * cases: 4 to 15 respondents per remiss (10 on average), consecutive organs
--     from a random one, numbered gapless per organ and registration year.
--     A remiss whose deadline has passed has its cases mostly answered (89 %) or
--     declined (9 %), 2 % stuck in an open state (overdue); one whose deadline
--     is still ahead has its cases spread over every state of the workflow.
--   * report revisions (1-3 per case past registration), reviews (an approval;
--     a return before the last revision for a quarter of the cases), meetings
--     per organ at regular intervals from ten years ago to four months ahead,
--     agenda items, decisions (at a meeting with its § number, or by delegation),
--     replies for answered cases, the diarium and paragraph series.
--   * audit events: one per registered remiss, and per case its natural history
--     (registered, assigned, every save, submitted, returned, approved, placed on
--     the agenda, decided, dispatched, declined) thinned evenly to the requested
--     total; a case's first and last events are always kept.
--
-- Indexes and key constraints are dropped during the load and rebuilt from their
-- saved definitions afterwards (the schema is checked to be exactly as before);
-- foreign keys are validated when they are added back.

\set ON_ERROR_STOP on
\timing on
SET client_min_messages = warning;
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET work_mem = '256MB';
SET temp_buffers = '2GB';
-- Compiling the big statements below costs more than it saves.
SET jit = off;

\echo '== parameters'
SELECT :cases / 10 AS referrals,
       :meetings / :organs AS meetings_per_organ,
       (:users - 1) / :organs - 5 AS officers_per_organ,
       now() AS fill_now,
       now() - interval '3650 days' AS t0,
       (now() AT TIME ZONE 'Europe/Stockholm')::date AS today
\gset
SELECT :organs AS organs, :users AS users, :referrals AS referrals, :cases AS cases,
       :meetings AS meetings, :audit_events AS audit_events, :'fill_now' AS now;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM organs) OR EXISTS (SELECT 1 FROM users) THEN
        RAISE EXCEPTION 'the database is not empty: fill a freshly migrated one';
    END IF;
END $$;
CREATE FUNCTION pg_temp.fail(message text) RETURNS void
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '%', message; END $$;
SELECT pg_temp.fail('need organs >= 16, users >= 6 per organ + 1, meetings >= 2 per organ, cases >= 20')
WHERE NOT (:organs >= 16 AND :officers_per_organ >= 1 AND :meetings_per_organ >= 2 AND :referrals >= 2);

-- Deterministic ids, so that rows can refer to each other without lookups.
CREATE FUNCTION pg_temp.uid(kind text, n bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE AS $$ SELECT md5(kind || n::text)::uuid $$;
-- A non-negative pseudo-random number for row n and purpose k.
CREATE FUNCTION pg_temp.h(n bigint, k bigint) RETURNS int
    LANGUAGE sql IMMUTABLE AS $$ SELECT (hashint8extended(n, k) & 1073741823)::int $$;
-- When step `pos` (1-based) of a case's `n` steps before its decision happened:
-- evenly from registration (`t_from`, step 1) to `t_to` (step n).
CREATE FUNCTION pg_temp.step_at(t_from timestamptz, t_to timestamptz, n int, pos int) RETURNS timestamptz
    LANGUAGE sql STABLE AS $$ SELECT t_from + (t_to - t_from) * ((pos - 1)::float8 / greatest(n - 1, 1)) $$;

\echo '== dropping indexes and key constraints for the load'
CREATE TEMP TABLE bench_schema_before AS
    SELECT 'index' AS kind, indexname::text AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace;
CREATE TEMP TABLE bench_ddl (phase int, drop_stmt text, create_stmt text);
INSERT INTO bench_ddl
SELECT CASE WHEN c.contype = 'f' THEN 3 ELSE 1 END,
       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
FROM pg_constraint c
WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'u', 'f')
  AND c.conrelid::regclass::text NOT IN ('_sqlx_migrations', 'fortune');
INSERT INTO bench_ddl
SELECT 2, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = 'public'::regnamespace
  AND t.relname NOT IN ('_sqlx_migrations', 'fortune')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'));
DO $$
DECLARE stmt text;
BEGIN
    FOR stmt IN SELECT drop_stmt FROM bench_ddl ORDER BY phase DESC LOOP
        EXECUTE stmt;
    END LOOP;
END $$;

\echo '== organs'
CREATE TEMP TABLE bo AS
WITH named AS (
    SELECT * FROM unnest(
        ARRAY['Kommunstyrelsen', 'Arbetsmarknadsnämnden', 'Socialnämnden', 'Utbildningsnämnden',
              'Kulturnämnden', 'Idrottsnämnden', 'Miljö- och hälsoskyddsnämnden', 'Stadsbyggnadsnämnden',
              'Trafiknämnden', 'Exploateringsnämnden', 'Fastighetsnämnden', 'Äldrenämnden',
              'Överförmyndarnämnden', 'Servicenämnden', 'Valnämnden', 'Arkivnämnden',
              'Krisledningsnämnden', 'Förskolenämnden', 'Grundskolenämnden', 'Klimatnämnden',
              'Akalla stadsdelsnämnd', 'Bagarmossen stadsdelsnämnd', 'Blackeberg stadsdelsnämnd',
              'Bromma stadsdelsnämnd', 'Enskede stadsdelsnämnd', 'Farsta stadsdelsnämnd',
              'Fruängen stadsdelsnämnd', 'Gubbängen stadsdelsnämnd', 'Hammarby stadsdelsnämnd',
              'Hässelby stadsdelsnämnd', 'Hökarängen stadsdelsnämnd', 'Kista stadsdelsnämnd',
              'Kungsholmen stadsdelsnämnd', 'Kärrtorp stadsdelsnämnd', 'Liljeholmen stadsdelsnämnd',
              'Midsommarkransen stadsdelsnämnd', 'Mälarhöjden stadsdelsnämnd', 'Norrmalm stadsdelsnämnd',
              'Rinkeby stadsdelsnämnd', 'Skarpnäck stadsdelsnämnd', 'Skärholmen stadsdelsnämnd',
              'Sköndal stadsdelsnämnd', 'Spånga stadsdelsnämnd', 'Södermalm stadsdelsnämnd',
              'Tallkrogen stadsdelsnämnd', 'Tensta stadsdelsnämnd', 'Vällingby stadsdelsnämnd',
              'Älvsjö stadsdelsnämnd', 'Årsta stadsdelsnämnd', 'Östermalm stadsdelsnämnd'],
        ARRAY['KS', 'AMN', 'SN', 'UN', 'KUN', 'IDN', 'MHN', 'SBN', 'TN', 'EXN', 'FSN', 'ÄN', 'ÖFN', 'SVN',
              'VN', 'AN', 'KLN', 'FFN', 'GSN', 'KLI',
              'AKA', 'BAG', 'BLA', 'BRO', 'ENS', 'FAR', 'FRU', 'GUB', 'HAM', 'HÄS', 'HÖK', 'KIS', 'KUH',
              'KÄR', 'LIL', 'MID', 'MÄL', 'NOR', 'RIN', 'SKA', 'SKÄ', 'SKÖ', 'SPÅ', 'SÖD', 'TAL', 'TEN',
              'VÄL', 'ÄLV', 'ÅRS', 'ÖST'],
        ARRAY['Stadsledningskontoret', 'Arbetsmarknadsförvaltningen', 'Socialförvaltningen',
              'Utbildningsförvaltningen', 'Kulturförvaltningen', 'Idrottsförvaltningen',
              'Miljöförvaltningen', 'Stadsbyggnadskontoret', 'Trafikkontoret', 'Exploateringskontoret',
              'Fastighetskontoret', 'Äldreförvaltningen', 'Överförmyndarförvaltningen',
              'Serviceförvaltningen', 'Valkansliet', 'Stadsarkivet', 'Stadsledningskontoret',
              'Förskoleförvaltningen', 'Grundskoleförvaltningen', 'Klimatförvaltningen']
    ) WITH ORDINALITY AS t(name, prefix, administration, o)
)
SELECT g.o::int AS o,
       pg_temp.uid('organ', g.o) AS id,
       coalesce(n.name, 'Beredningsnämnd ' || g.o) AS name,
       coalesce(n.prefix, 'BN' || chr(65 + (g.o / 26) % 26) || chr(65 + g.o % 26)) AS prefix,
       coalesce(n.administration,
                CASE WHEN n.name LIKE '% stadsdelsnämnd'
                     THEN replace(n.name, 'stadsdelsnämnd', 'stadsdelsförvaltning')
                     ELSE 'Beredningskansliet ' || g.o END) AS administration,
       g.o % 3 = 1 AS delegation_allowed,
       ((g.o * 37) % 100) / 100.0 AS meeting_phase
FROM generate_series(1, :organs) g(o)
LEFT JOIN named n ON n.o = g.o;
ALTER TABLE bo ADD PRIMARY KEY (o);
ANALYZE bo;

INSERT INTO organs (id, name, diarium_prefix, administration, delegation_allowed, created_at)
SELECT id, name, prefix, administration, delegation_allowed, :'t0'::timestamptz - interval '30 days'
FROM bo ORDER BY o;

\echo '== users and roles'
-- User i works in organ ((i - 1) % organs) + 1; slot (i - 1) / organs gives the
-- role: 0 registrator, 1-2 granskare, 3-4 nämndsekreterare, 5.. handläggare.
-- So handläggare k (0-based) of organ o is user (5 + k) * organs + o.
CREATE TEMP TABLE bu AS
SELECT i,
       pg_temp.uid('user', i) AS id,
       CASE WHEN i = :users THEN 'bench.skribent' ELSE 'anv' || lpad(i::text, 5, '0') END AS username,
       (ARRAY['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Johan', 'Sara', 'Anders', 'Emma', 'Per',
              'Elin', 'Mikael', 'Lena', 'Fredrik', 'Sofia', 'Ahmed', 'Fatima', 'Jonas', 'Ingrid', 'Samir'])[(i - 1) % 20 + 1]
       || ' ' ||
       (ARRAY['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson',
              'Svensson', 'Gustafsson', 'Pettersson', 'Jonsson', 'Jansson', 'Hansson', 'Bengtsson',
              'Lindqvist', 'Lindberg', 'Haddad', 'Berg', 'Holm', 'Ali', 'Sandberg', 'Lund', 'Ek',
              'Nyström'])[((i - 1) / 20) % 25 + 1] AS display_name,
       ((i - 1) % :organs) + 1 AS organ_no,
       CASE WHEN i = :users THEN 'handlaggare'
            WHEN (i - 1) / :organs = 0 THEN 'registrator'
            WHEN (i - 1) / :organs IN (1, 2) THEN 'granskare'
            WHEN (i - 1) / :organs IN (3, 4) THEN 'sekreterare'
            ELSE 'handlaggare' END AS role
FROM generate_series(1, :users) i;
ALTER TABLE bu ADD PRIMARY KEY (i);
ANALYZE bu;

INSERT INTO users (id, username, display_name, title, organ_id, password_hash, created_at)
SELECT bu.id, bu.username, bu.display_name,
       CASE bu.role WHEN 'registrator' THEN 'registrator' WHEN 'granskare' THEN 'enhetschef'
                    WHEN 'sekreterare' THEN 'nämndsekreterare' ELSE 'utredare' END,
       bo.id, :'password_hash', :'t0'::timestamptz - interval '30 days'
FROM bu JOIN bo ON bo.o = bu.organ_no
ORDER BY bu.i;

INSERT INTO user_roles (user_id, organ_id, role)
SELECT bu.id, bo.id, bu.role FROM bu JOIN bo ON bo.o = bu.organ_no WHERE bu.i < :users
UNION ALL
SELECT bu.id, bo.id, 'handlaggare' FROM bu CROSS JOIN bo WHERE bu.i = :users;

\echo '== referrals'
-- The senders outside the city (70 of every 100 remisser; the other 30 come from
-- the city's own board): departments, länsstyrelser, regions, agencies and
-- neighbouring municipalities, as a municipality's registry sees them. Their
-- words are part of every remiss's public text, and a vocabulary as varied as a
-- real one matters to the planner: with fewer than 100 distinct words in a text
-- column PostgreSQL has no statistics to estimate a prefix search (`trygghet:*`)
-- by, and assumes 2 % of the rows match (BENCHMARKS.md, findings of the run at 2026-11-30 17:07).
CREATE TEMP TABLE bs (no int PRIMARY KEY, name text NOT NULL, prefix text NOT NULL);
INSERT INTO bs (no, name, prefix)
SELECT row_number() OVER (), name, prefix FROM (VALUES
    ('Finansdepartementet', 'Fi'), ('Socialdepartementet', 'S'), ('Utbildningsdepartementet', 'U'),
    ('Infrastrukturdepartementet', 'I'), ('Justitiedepartementet', 'Ju'),
    ('Klimat- och näringslivsdepartementet', 'KN'), ('Kulturdepartementet', 'Ku'),
    ('Arbetsmarknadsdepartementet', 'A'), ('Landsbygds- och infrastrukturdepartementet', 'LI'),
    ('Försvarsdepartementet', 'Fö'),
    ('Länsstyrelsen i Stockholms län', 'LST '), ('Länsstyrelsen i Uppsala län', 'LST '),
    ('Länsstyrelsen i Södermanlands län', 'LST '), ('Länsstyrelsen i Östergötlands län', 'LST '),
    ('Länsstyrelsen i Jönköpings län', 'LST '), ('Länsstyrelsen i Kronobergs län', 'LST '),
    ('Länsstyrelsen i Kalmar län', 'LST '), ('Länsstyrelsen i Gotlands län', 'LST '),
    ('Länsstyrelsen i Blekinge län', 'LST '), ('Länsstyrelsen Skåne', 'LST '),
    ('Länsstyrelsen Hallands län', 'LST '), ('Länsstyrelsen i Västra Götalands län', 'LST '),
    ('Länsstyrelsen i Värmlands län', 'LST '), ('Länsstyrelsen i Örebro län', 'LST '),
    ('Länsstyrelsen i Västmanlands län', 'LST '), ('Länsstyrelsen Dalarna', 'LST '),
    ('Länsstyrelsen Gävleborg', 'LST '), ('Länsstyrelsen Västernorrland', 'LST '),
    ('Länsstyrelsen i Jämtlands län', 'LST '), ('Länsstyrelsen i Västerbottens län', 'LST '),
    ('Länsstyrelsen i Norrbottens län', 'LST '),
    ('Region Stockholm', 'RS '), ('Region Uppsala', 'RU '), ('Region Skåne', 'RSK '),
    ('Västra Götalandsregionen', 'VGR '), ('Region Östergötland', 'RÖ '), ('Region Halland', 'RH '),
    ('Region Gotland', 'RG '), ('Region Dalarna', 'RD '), ('Region Jämtland Härjedalen', 'RJH '),
    ('Trafikverket', 'TRV '), ('Boverket', 'BOV '), ('Naturvårdsverket', 'NV-'),
    ('Socialstyrelsen', 'SOS '), ('Skolverket', 'SKOLV '), ('Energimyndigheten', 'EM '),
    ('Folkhälsomyndigheten', 'FOHM '), ('Polismyndigheten', 'PM '),
    ('Myndigheten för samhällsskydd och beredskap', 'MSB '), ('Arbetsförmedlingen', 'AF-'),
    ('Försäkringskassan', 'FK '), ('Kriminalvården', 'KV '), ('Livsmedelsverket', 'LIVS '),
    ('Havs- och vattenmyndigheten', 'HaV '), ('Riksantikvarieämbetet', 'RAÄ-'),
    ('Statens kulturråd', 'KUR '), ('Lantmäteriet', 'LM '), ('Tillväxtverket', 'TVV '),
    ('Sveriges Kommuner och Regioner', 'SKR '), ('Jämställdhetsmyndigheten', 'JÄM '),
    ('Solna stad', 'KS '), ('Nacka kommun', 'KFKS '), ('Huddinge kommun', 'KS-'),
    ('Sundbybergs stad', 'KS-'), ('Järfälla kommun', 'Kst '), ('Lidingö stad', 'KS/'),
    ('Danderyds kommun', 'KS '), ('Botkyrka kommun', 'KS '), ('Täby kommun', 'KS-'),
    ('Sollentuna kommun', 'KS')
) AS s(name, prefix);

CREATE TEMP TABLE br AS
WITH base AS (
    SELECT r,
           :'t0'::timestamptz + interval '3650 days' * ((r - 0.5) / :referrals) AS created_at,
           pg_temp.h(r, 1) AS h1, pg_temp.h(r, 2) AS h2, pg_temp.h(r, 3) AS h3,
           CASE WHEN r % 2 = 1 THEN 10 + ((r - 1) / 2) % 6 ELSE 10 - ((r - 1) / 2) % 6 END AS n
    FROM generate_series(1, :referrals) r
), dated AS (
    SELECT base.*,
           (created_at AT TIME ZONE 'Europe/Stockholm')::date - (r % 3)::int AS received_on,
           extract(year FROM created_at AT TIME ZONE 'Europe/Stockholm')::int AS reg_year,
           1 + h1 % 30 AS topic,
           1 + (h1 / 30) % 10 AS form,
           1 + h2 % 8 AS aspect1,
           1 + (h2 / 8) % 8 AS aspect2,
           (h2 / 64) % 100 AS sender_no,
           1 + (h2 / 6400) % 9000 AS sender_seq
    FROM base
)
SELECT r,
       pg_temp.uid('referral', r) AS id,
       created_at, received_on,
       received_on + (21 + h3 % 70)::int AS deadline,
       reg_year, topic, aspect1, aspect2, n,
       sum(n) OVER (ORDER BY r) - n AS c0,
       1 + (r % :organs) AS registrar_i,
       r % 50 = 25 AS secret,
       sender_no < 30 AS from_organ,
       CASE WHEN r % 20000 = 7 THEN 'Inventering av fladdermöss i stadens parker och grönområden'
            ELSE (ARRAY['Förslag till program för', 'Remiss av promemorian om', 'Betänkandet om',
                        'Riktlinjer för', 'Strategi för', 'Handlingsplan för', 'Översyn av',
                        'Utredning om', 'Förslag till plan för', 'Remiss av förslag om'])[form]
                 || ' ' ||
                 (ARRAY['trygghet i offentliga miljöer', 'skola och förskola', 'avfall och återvinning',
                        'stadens budget och investeringar', 'äldreomsorg', 'kollektivtrafik',
                        'bostadsförsörjning', 'klimatanpassning', 'cykeltrafik', 'idrottsanläggningar',
                        'kulturmiljö', 'digitalisering av välfärden', 'folkhälsa', 'barn och unga',
                        'näringslivsutveckling', 'grönområden och parker', 'vattenförsörjning',
                        'energieffektivisering', 'integration och etablering', 'arbetsmarknadsinsatser',
                        'stöd till personer med funktionsnedsättning', 'brottsförebyggande arbete',
                        'luftkvalitet', 'parkering', 'livsmedelskontroll', 'hemlöshet', 'föreningsstöd',
                        'biblioteksverksamhet', 'krisberedskap', 'jämställdhet'])[topic]
                 || ' ' || (reg_year + h1 % 2) || '-' || (reg_year + h1 % 2 + 3)
       END AS title,
       CASE WHEN sender_no < 30 THEN (SELECT name FROM bo WHERE o = 1) ELSE bs.name END AS sender_name,
       CASE WHEN sender_no < 30 THEN (SELECT prefix FROM bo WHERE o = 1) || ' ' || reg_year || '/' || sender_seq
            ELSE bs.prefix || reg_year || '/' || lpad(sender_seq::text, 5, '0') END AS sender_dnr
FROM dated LEFT JOIN bs ON bs.no = dated.sender_no - 29;
ALTER TABLE br ADD PRIMARY KEY (r);
ANALYZE br;

INSERT INTO referrals (id, title, description, sender_organ_id, sender_name, sender_dnr, received_on,
                       deadline, secret, secrecy_provision, registered_by, created_at)
SELECT br.id, br.title,
       CASE WHEN br.r % 20000 = 7
            THEN 'Stadens ekologer har inventerat fladdermöss i parkerna. Nämnderna ombeds yttra sig om skötseln av äldre träd.'
            ELSE 'Remissen ' || br.title || ' skickas till berörda nämnder för yttrande. Synpunkter önskas särskilt på '
                 || (ARRAY['kostnader och finansiering', 'barns och ungas perspektiv', 'tillgänglighet',
                           'samverkan mellan nämnderna', 'trygghet och säkerhet', 'konsekvenser för verksamheten',
                           'miljö- och klimatpåverkan', 'genomförande och uppföljning'])[br.aspect1]
                 || ' samt '
                 || (ARRAY['kostnader och finansiering', 'barns och ungas perspektiv', 'tillgänglighet',
                           'samverkan mellan nämnderna', 'trygghet och säkerhet', 'konsekvenser för verksamheten',
                           'miljö- och klimatpåverkan', 'genomförande och uppföljning'])[br.aspect2] || '.'
       END,
       CASE WHEN br.from_organ THEN (SELECT id FROM bo WHERE o = 1) END,
       br.sender_name, br.sender_dnr, br.received_on, br.deadline, br.secret,
       CASE WHEN br.secret THEN 'OSL 21 kap. 1 §' ELSE '' END,
       pg_temp.uid('user', br.registrar_i), br.created_at
FROM br ORDER BY br.r;

\echo '== meetings'
-- Meeting j (0-based) of organ o, at regular intervals from ten years ago until
-- four months ahead, at noon UTC (13 or 14 in Stockholm).
CREATE TEMP TABLE bm AS
SELECT bo.o, j,
       pg_temp.uid('meeting', bo.o * 100000 + j) AS id,
       date_trunc('day', :'t0'::timestamptz
                 + interval '3770 days' * ((j + bo.meeting_phase) / :meetings_per_organ)) + interval '12 hours' AS starts_at
FROM bo CROSS JOIN generate_series(0, :meetings_per_organ - 1) j;
ALTER TABLE bm ADD PRIMARY KEY (o, j);
ANALYZE bm;

INSERT INTO meetings (id, organ_id, starts_at, place, adjusted_on, adjusted_by, created_at)
SELECT bm.id, bo.id, bm.starts_at, 'Stadshuset, sammanträdesrum ' || (1 + bm.o % 5),
       CASE WHEN bm.starts_at < :'fill_now'::timestamptz - interval '3 days'
            THEN (bm.starts_at AT TIME ZONE 'Europe/Stockholm')::date + 3 END,
       CASE WHEN bm.starts_at < :'fill_now'::timestamptz - interval '3 days'
            THEN 'Ordföranden och justerande ledamot' END,
       bm.starts_at - interval '60 days'
FROM bm JOIN bo ON bo.o = bm.o
ORDER BY bm.starts_at;

\echo '== planning the cases'
-- One row per case with everything the tables below are made from: its organ,
-- state, officer, revisions, meeting, decision, § and the number of its events.
CREATE TEMP TABLE bc0 AS
WITH raw AS (
    SELECT br.c0 + k + 1 AS c,
           br.r,
           CASE WHEN br.from_organ THEN 2 + ((pg_temp.h(br.r, 4) + k) % (:organs - 1))
                ELSE 1 + ((pg_temp.h(br.r, 4) + k) % :organs) END AS organ_no,
           br.created_at, br.deadline,
           ((br.deadline + time '12:00') AT TIME ZONE 'Europe/Stockholm') AS deadline_ts,
           br.deadline >= :'today'::date AS open_window
    FROM br CROSS JOIN LATERAL generate_series(0, br.n - 1) k
), stated AS (
    SELECT raw.*,
           CASE WHEN open_window THEN
                    CASE WHEN x < 200 THEN 'registered' WHEN x < 450 THEN 'drafting' WHEN x < 600 THEN 'in_review'
                         WHEN x < 700 THEN 'approved' WHEN x < 800 THEN 'on_agenda' WHEN x < 880 THEN 'decided'
                         WHEN x < 930 THEN 'answered' ELSE 'declined' END
                ELSE
                    CASE WHEN x < 890 THEN 'answered' WHEN x < 980 THEN 'declined' WHEN x < 983 THEN 'registered'
                         WHEN x < 988 THEN 'drafting' WHEN x < 990 THEN 'in_review' WHEN x < 992 THEN 'approved'
                         WHEN x < 995 THEN 'on_agenda' ELSE 'decided' END
           END AS state
    FROM raw CROSS JOIN LATERAL (SELECT pg_temp.h(raw.c, 5) % 1000 AS x) x
), flagged AS (
    SELECT stated.*,
           state NOT IN ('registered', 'declined') OR (state = 'declined' AND pg_temp.h(c, 6) % 2 = 0) AS assigned,
           state IN ('decided', 'answered') AND bo.delegation_allowed AND pg_temp.h(c, 7) % 10 < 3 AS delegation,
           bo.meeting_phase
    FROM stated JOIN bo ON bo.o = stated.organ_no
), planned AS (
    SELECT flagged.*,
           CASE WHEN assigned THEN (5 + pg_temp.h(c, 8) % :officers_per_organ) * :organs + organ_no END AS officer_i,
           CASE WHEN assigned THEN 1 + pg_temp.h(c, 9) % 3 ELSE 0 END AS n_rev,
           state IN ('in_review', 'approved', 'on_agenda', 'decided', 'answered') AS submitted,
           state IN ('approved', 'on_agenda', 'decided', 'answered') AS approved,
           state IN ('on_agenda', 'decided', 'answered') AND NOT delegation AS placed,
           state IN ('decided', 'answered') AS decided
    FROM flagged
)
SELECT p.*,
       p.assigned AND p.n_rev >= 2 AND p.state <> 'declined' AND pg_temp.h(p.c, 10) % 4 = 0 AS returned,
       -- The meeting: the organ's next one for a case on the agenda; for a decided
       -- case the last before its deadline (and at least five days ago), or the
       -- first after its registration when none came between.
       CASE WHEN p.placed THEN
                CASE WHEN p.state = 'on_agenda' THEN
                         least(:meetings_per_organ - 1,
                               ceil(extract(epoch FROM :'fill_now'::timestamptz + interval '2 days' - :'t0'::timestamptz)
                                    / extract(epoch FROM interval '3770 days') * :meetings_per_organ - p.meeting_phase))
                     ELSE greatest(0, least(
                         greatest(floor(extract(epoch FROM least(p.deadline_ts, :'fill_now'::timestamptz - interval '5 days') - :'t0'::timestamptz)
                                        / extract(epoch FROM interval '3770 days') * :meetings_per_organ - p.meeting_phase),
                                  ceil(extract(epoch FROM p.created_at + interval '1 day' - :'t0'::timestamptz)
                                       / extract(epoch FROM interval '3770 days') * :meetings_per_organ - p.meeting_phase)),
                         floor(extract(epoch FROM :'fill_now'::timestamptz - interval '5 days' - :'t0'::timestamptz)
                               / extract(epoch FROM interval '3770 days') * :meetings_per_organ - p.meeting_phase)))
                END
       END::int AS mj
FROM planned p;
ANALYZE bc0;

CREATE TEMP TABLE bc AS
WITH decided_at AS (
    SELECT b.*, m.starts_at AS meeting_at, m.id AS meeting_id,
           CASE WHEN b.decided AND b.placed THEN m.starts_at
                WHEN b.decided THEN b.created_at + (least(b.deadline_ts, :'fill_now'::timestamptz - interval '4 days') - b.created_at) * 0.8
           END AS decision_at
    FROM bc0 b LEFT JOIN bm m ON m.o = b.organ_no AND m.j = b.mj
), counted AS (
    SELECT d.*,
           CASE WHEN d.assigned THEN 2 + d.n_rev + CASE WHEN d.returned THEN 2 ELSE 0 END ELSE 1 END AS s_end,
           1 + d.assigned::int + d.n_rev + 2 * d.returned::int + d.submitted::int + d.approved::int
             + d.placed::int + d.decided::int + (d.state = 'answered')::int + (d.state = 'declined')::int AS n_ev,
           greatest(d.created_at + interval '1 hour',
                    CASE WHEN d.decided THEN d.decision_at - interval '1 day'
                         ELSE least(d.deadline_ts, :'fill_now'::timestamptz - interval '1 hour') END) AS t_pre,
           CASE WHEN d.decided AND NOT d.delegation
                THEN extract(year FROM d.decision_at AT TIME ZONE 'Europe/Stockholm')::int END AS p_year,
           CASE WHEN d.placed THEN row_number() OVER (PARTITION BY d.organ_no, d.mj ORDER BY d.c) END::int AS pos
    FROM decided_at d
), numbered AS (
    SELECT n.*,
           CASE WHEN n.p_year IS NOT NULL
                THEN row_number() OVER (PARTITION BY n.organ_no, n.p_year ORDER BY n.decision_at, n.pos, n.c) END::int AS paragraph,
           sum(greatest(n.n_ev - 2, 0)) OVER (ORDER BY n.c) - greatest(n.n_ev - 2, 0) AS opt_before
    FROM counted n
)
SELECT c.c, pg_temp.uid('case', c.c) AS id, c.r, br.id AS referral_id,
       c.organ_no, bo.id AS organ_id, bo.prefix, bo.name AS organ_name, bo.administration,
       br.reg_year AS dnr_year,
       row_number() OVER (PARTITION BY c.organ_no, br.reg_year ORDER BY c.created_at, c.c)::int AS dnr_seq,
       c.created_at, c.deadline, c.deadline_ts, br.title, br.sender_name, br.aspect1, br.aspect2,
       c.state, c.assigned, c.n_rev, c.returned, c.delegation,
       c.submitted, c.approved, c.placed, c.decided, c.meeting_id, c.meeting_at, c.decision_at,
       least(c.decision_at + interval '3 days', :'fill_now'::timestamptz - interval '1 hour') AS dispatched_at,
       c.s_end, c.n_ev, c.n_ev - c.decided::int - (c.state = 'answered')::int AS n_pre, c.t_pre,
       c.pos, c.p_year, c.paragraph, c.opt_before,
       CASE WHEN c.decided AND c.delegation THEN 'delegation'
            WHEN c.decided AND pg_temp.h(c.c, 11) % 100 < 15 THEN 'amended'
            WHEN c.decided THEN 'adopted' END AS outcome,
       pg_temp.h(c.c, 12) % 4 AS stance,
       registrar.id AS registrar_id,
       officer.id AS officer_id, officer.display_name AS officer_name,
       reviewer.id AS reviewer_id, reviewer.display_name AS reviewer_name,
       secretary.id AS secretary_id,
       CASE WHEN c.n_rev > 0 THEN pg_temp.uid('revision', c.c * 4 + c.n_rev) END AS rev_last_id,
       CASE WHEN c.returned THEN pg_temp.uid('revision', c.c * 4 + c.n_rev - 1) END AS rev_prev_id,
       CASE WHEN c.placed THEN pg_temp.uid('item', c.c) END AS item_id,
       CASE WHEN c.decided THEN pg_temp.uid('decision', c.c) END AS decision_id
FROM numbered c
JOIN br ON br.r = c.r
JOIN bo ON bo.o = c.organ_no
JOIN bu registrar ON registrar.i = br.registrar_i
JOIN bu reviewer ON reviewer.i = :organs + c.organ_no
JOIN bu secretary ON secretary.i = 3 * :organs + c.organ_no
LEFT JOIN bu officer ON officer.i = c.officer_i
ORDER BY c.c;
DROP TABLE bc0;
ALTER TABLE bc ADD PRIMARY KEY (c);
ANALYZE bc;

\echo '== report revisions'
-- The text of a report is made of the remiss's title and sentences shared by
-- many cases (as in real reports); see the search text below.
INSERT INTO report_revisions (id, case_id, number, title, proposals, summary, preparation, background,
                              considerations, signatories, author_id, created_at)
SELECT CASE WHEN k = bc.n_rev THEN bc.rev_last_id ELSE pg_temp.uid('revision', bc.c * 4 + k) END,
       bc.id, k, bc.title,
       jsonb_build_array(
           bc.organ_name || ' ' || (ARRAY['överlämnar förvaltningens tjänsteutlåtande som svar på remissen.',
                                          'godkänner förvaltningens tjänsteutlåtande och överlämnar det som svar på remissen.',
                                          'ställer sig bakom förvaltningens synpunkter och överlämnar dem som svar på remissen.',
                                          'avstyrker förslaget med hänvisning till förvaltningens tjänsteutlåtande.'])[bc.stance + 1],
           bc.organ_name || ' justerar paragrafen omedelbart.'),
       bc.administration || ' har tagit del av remissen. Förvaltningen '
           || (ARRAY['ställer sig positiv till förslaget', 'ställer sig i huvudsak positiv till förslaget',
                     'har inga invändningar mot förslaget', 'avstyrker förslaget i dess nuvarande form'])[bc.stance + 1]
           || ' men vill särskilt lyfta '
           || (ARRAY['kostnader och finansiering', 'barns och ungas perspektiv', 'tillgänglighet',
                     'samverkan mellan nämnderna', 'trygghet och säkerhet', 'konsekvenser för verksamheten',
                     'miljö- och klimatpåverkan', 'genomförande och uppföljning'])[bc.aspect1] || '.',
       'Ärendet har beretts av ' || bc.administration || ' i samråd med berörda avdelningar och enheter.',
       bc.sender_name || ' har remitterat förslaget till ' || bc.organ_name
           || ' för yttrande. Förslaget omfattar mål, åtgärder och ansvarsfördelning för perioden.',
       'Förvaltningen anser att förslaget i stort är väl underbyggt. Förvaltningen saknar dock en analys av '
           || (ARRAY['kostnader och finansiering', 'barns och ungas perspektiv', 'tillgänglighet',
                     'samverkan mellan nämnderna', 'trygghet och säkerhet', 'konsekvenser för verksamheten',
                     'miljö- och klimatpåverkan', 'genomförande och uppföljning'])[bc.aspect2]
           || ' och föreslår att den kompletteras innan programmet antas. Förvaltningen ser positivt på att '
           || 'uppföljningen sker årligen och att resultaten redovisas för nämnderna.'
           || CASE WHEN k > 1 THEN ' Texten har kompletterats efter synpunkter i granskningen (version ' || k || ').' ELSE '' END,
       jsonb_build_array(jsonb_build_object('name', bc.reviewer_name, 'title', 'förvaltningsdirektör'),
                         jsonb_build_object('name', bc.officer_name, 'title', 'utredare')),
       bc.officer_id,
       pg_temp.step_at(bc.created_at, bc.t_pre, bc.n_pre,
                       CASE WHEN bc.returned AND k = bc.n_rev THEN bc.n_rev + 4 ELSE 2 + k END)
FROM bc CROSS JOIN LATERAL generate_series(1, bc.n_rev) k
WHERE bc.n_rev > 0;

\echo '== reviews'
INSERT INTO reviews (id, case_id, revision_id, reviewer_id, outcome, comment, created_at)
SELECT pg_temp.uid('review', bc.c * 2), bc.id, bc.rev_prev_id, bc.reviewer_id, 'returned',
       'Komplettera synpunkterna med en analys av konsekvenserna för verksamheten och förtydliga förslaget till beslut.',
       pg_temp.step_at(bc.created_at, bc.t_pre, bc.n_pre, bc.n_rev + 3)
FROM bc WHERE bc.returned
UNION ALL
SELECT pg_temp.uid('review', bc.c * 2 + 1), bc.id, bc.rev_last_id, bc.reviewer_id, 'approved', '',
       pg_temp.step_at(bc.created_at, bc.t_pre, bc.n_pre, bc.s_end + 2)
FROM bc WHERE bc.approved;

\echo '== agenda items, decisions, replies'
INSERT INTO agenda_items (id, meeting_id, case_id, position)
SELECT bc.item_id, bc.meeting_id, bc.id, bc.pos FROM bc WHERE bc.placed;

INSERT INTO decisions (id, case_id, agenda_item_id, paragraph_year, paragraph, decided_on, outcome, decision_text,
                       reason, attendance, delegation_reference, revision_id, decided_by, created_at)
SELECT bc.decision_id, bc.id, bc.item_id, bc.p_year, bc.paragraph,
       (bc.decision_at AT TIME ZONE 'Europe/Stockholm')::date,
       bc.outcome,
       CASE WHEN bc.outcome = 'amended'
            THEN bc.organ_name || ' godkänner förvaltningens tjänsteutlåtande med tillägget att '
                 || (ARRAY['kostnader och finansiering', 'barns och ungas perspektiv', 'tillgänglighet',
                           'samverkan mellan nämnderna', 'trygghet och säkerhet', 'konsekvenser för verksamheten',
                           'miljö- och klimatpåverkan', 'genomförande och uppföljning'])[bc.aspect1]
                 || ' ska följas upp särskilt.'
            ELSE '' END,
       '',
       CASE WHEN bc.delegation THEN ''
            ELSE 'Ledamöter: ordföranden, vice ordföranden och nämndens övriga ledamöter enligt protokollets närvarolista.' END,
       CASE WHEN bc.delegation THEN 'Delegationsordningen punkt ' || (1 + bc.c % 20) END,
       bc.rev_last_id,
       CASE WHEN bc.delegation THEN bc.reviewer_id ELSE bc.secretary_id END,
       bc.decision_at
FROM bc WHERE bc.decided;

INSERT INTO replies (case_id, decision_id, dispatched_on, recipient, dispatched_by, created_at)
SELECT bc.id, bc.decision_id, (bc.dispatched_at AT TIME ZONE 'Europe/Stockholm')::date,
       bc.sender_name, bc.secretary_id, bc.dispatched_at
FROM bc WHERE bc.state = 'answered';

\echo '== the search text of the cases (refresh_search, set-based)'
-- src/db/reports.rs::refresh_search for every case at once: its newest revision
-- and the text of its decisions, through the same expression. Each of the four
-- to_tsvector() calls is made once per distinct text rather than once per case
-- (the texts repeat, as report sentences do); the checks below compare a sample
-- of cases with refresh_search's own statement.
CREATE TEMP TABLE tv_a AS
SELECT t, setweight(to_tsvector('swedish', coalesce(t, '')), 'A') AS v
FROM (SELECT DISTINCT title AS t FROM report_revisions) x;
CREATE TEMP TABLE tv_b AS
SELECT t, setweight(to_tsvector('swedish', t), 'B') AS v
FROM (SELECT DISTINCT coalesce(summary, '') || ' ' || coalesce(proposals::text, '') AS t FROM report_revisions) x;
CREATE TEMP TABLE tv_c AS
SELECT t, setweight(to_tsvector('swedish', t), 'C') AS v
FROM (SELECT DISTINCT coalesce(preparation, '') || ' ' || coalesce(background, '') || ' ' || coalesce(considerations, '') AS t
      FROM report_revisions) x;
CREATE TEMP TABLE tv_d AS
SELECT t, setweight(to_tsvector('swedish', coalesce(t, '')), 'B') AS v
FROM (SELECT DISTINCT text AS t FROM (SELECT string_agg(decision_text || ' ' || reason, ' ') AS text
                                      FROM decisions GROUP BY case_id) d) x;
ANALYZE tv_a;
ANALYZE tv_b;
ANALYZE tv_c;
ANALYZE tv_d;
CREATE TEMP TABLE bsearch AS
SELECT bc.c, a.v || b.v || c.v || coalesce(d.v, ''::tsvector) AS search
FROM bc
JOIN report_revisions r ON r.id = bc.rev_last_id
JOIN tv_a a ON a.t = r.title
JOIN tv_b b ON b.t = coalesce(r.summary, '') || ' ' || coalesce(r.proposals::text, '')
JOIN tv_c c ON c.t = coalesce(r.preparation, '') || ' ' || coalesce(r.background, '') || ' ' || coalesce(r.considerations, '')
LEFT JOIN (SELECT case_id, string_agg(decision_text || ' ' || reason, ' ') AS text FROM decisions GROUP BY case_id) dt
       ON dt.case_id = bc.id
LEFT JOIN tv_d d ON d.t = dt.text;
ALTER TABLE bsearch ADD PRIMARY KEY (c);
DROP TABLE tv_a, tv_b, tv_c, tv_d;

\echo '== cases'
INSERT INTO cases (id, referral_id, organ_id, dnr_prefix, dnr_year, dnr_seq, state, assigned_officer_id,
                   declined_reason, version, created_at, search)
SELECT bc.id, bc.referral_id, bc.organ_id, bc.prefix, bc.dnr_year, bc.dnr_seq, bc.state, bc.officer_id,
       CASE WHEN bc.state = 'declined'
            THEN 'Nämnden avstår från att yttra sig eftersom remissen inte berör nämndens ansvarsområde.' END,
       bc.n_ev, bc.created_at, coalesce(s.search, ''::tsvector)
FROM bc LEFT JOIN bsearch s ON s.c = bc.c;
DROP TABLE bsearch;

INSERT INTO diarium_series (organ_id, year, last_seq)
SELECT organ_id, dnr_year, max(dnr_seq) FROM bc GROUP BY organ_id, dnr_year;
INSERT INTO paragraph_series (organ_id, year, last_seq)
SELECT organ_id, p_year, max(paragraph) FROM bc WHERE paragraph IS NOT NULL GROUP BY organ_id, p_year;

\echo '== audit events'
-- Every case's natural history has n_ev events; its first and last are kept, and
-- of the others an evenly spread share so that the total is :audit_events.
SELECT sum(greatest(n_ev - 2, 0)) AS optional_events,
       count(*) + count(*) FILTER (WHERE n_ev >= 2) AS mandatory_events,
       greatest(0, least(sum(greatest(n_ev - 2, 0)),
                         :audit_events - :referrals - count(*) - count(*) FILTER (WHERE n_ev >= 2))) AS kept_optional
FROM bc
\gset
SELECT :optional_events AS optional_events, :mandatory_events AS mandatory_events, :kept_optional AS kept_optional;

INSERT INTO audit_events (id, at, actor_id, action, entity_type, entity_id, referral_id, case_id, before, after)
OVERRIDING SYSTEM VALUE
SELECT br.r, br.created_at, pg_temp.uid('user', br.registrar_i), 'referral.registered', 'referral', br.id, br.id,
       NULL, NULL,
       jsonb_build_object('title', r.title, 'description', r.description, 'sender', r.sender_name,
                          'sender_dnr', r.sender_dnr, 'received_on', r.received_on, 'deadline', r.deadline,
                          'secrecy', CASE WHEN r.secret THEN r.secrecy_provision END)
FROM br JOIN referrals r ON r.id = br.id;

-- Ids leave room for 24 events per case, in the order of each case's history.
INSERT INTO audit_events (id, at, actor_id, action, entity_type, entity_id, referral_id, case_id, before, after)
OVERRIDING SYSTEM VALUE
SELECT :referrals + (bc.c - 1) * 24 + e.ord,
       CASE e.action
           WHEN 'case.decided' THEN bc.decision_at
           WHEN 'case.decided_by_delegation' THEN bc.decision_at
           WHEN 'case.dispatched' THEN bc.dispatched_at
           ELSE pg_temp.step_at(bc.created_at, bc.t_pre, bc.n_pre, e.ord) END,
       CASE WHEN e.action = 'case.registered' THEN bc.registrar_id
            WHEN e.action IN ('report.saved', 'case.submitted') THEN bc.officer_id
            WHEN e.action IN ('case.placed_on_agenda', 'case.decided', 'case.dispatched') THEN bc.secretary_id
            ELSE bc.reviewer_id END,
       e.action, 'case', bc.id, bc.referral_id, bc.id,
       CASE WHEN e.action <> 'case.registered' THEN jsonb_build_object('state', CASE e.action
           WHEN 'case.assigned' THEN 'registered'
           WHEN 'report.saved' THEN 'drafting'
           WHEN 'case.submitted' THEN 'drafting'
           WHEN 'case.returned' THEN 'in_review'
           WHEN 'case.approved' THEN 'in_review'
           WHEN 'case.placed_on_agenda' THEN 'approved'
           WHEN 'case.decided' THEN 'on_agenda'
           WHEN 'case.decided_by_delegation' THEN 'approved'
           WHEN 'case.dispatched' THEN 'decided'
           WHEN 'case.declined' THEN CASE WHEN bc.assigned THEN 'drafting' ELSE 'registered' END END) END,
       CASE e.action
           WHEN 'case.registered' THEN jsonb_build_object('dnr', bc.prefix || ' ' || bc.dnr_year || '/' || bc.dnr_seq,
                                                          'state', 'registered')
           WHEN 'case.assigned' THEN jsonb_build_object('state', 'drafting', 'officer', bc.officer_name)
           WHEN 'report.saved' THEN jsonb_build_object('state', 'drafting', 'revision', least(e.ord - 2, bc.n_rev))
           WHEN 'case.submitted' THEN jsonb_build_object('state', 'in_review',
                                                         'revision', CASE WHEN e.ord < bc.s_end THEN bc.n_rev - 1 ELSE bc.n_rev END)
           WHEN 'case.returned' THEN jsonb_build_object('state', 'drafting', 'revision', bc.n_rev - 1,
               'comment', 'Komplettera synpunkterna med en analys av konsekvenserna för verksamheten och förtydliga förslaget till beslut.')
           WHEN 'case.approved' THEN jsonb_build_object('state', 'approved', 'revision', bc.n_rev, 'comment', '')
           WHEN 'case.placed_on_agenda' THEN jsonb_build_object('state', 'on_agenda',
               'meeting', to_char(bc.meeting_at AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD HH24:MI'),
               'after_deadline', (bc.meeting_at AT TIME ZONE 'Europe/Stockholm')::date > bc.deadline)
           WHEN 'case.decided' THEN jsonb_build_object('state', 'decided', 'outcome', bc.outcome,
                                                       'paragraph', '§ ' || bc.paragraph, 'reason', '')
           WHEN 'case.decided_by_delegation' THEN jsonb_build_object('state', 'decided',
                                                                     'reference', 'Delegationsordningen punkt ' || (1 + bc.c % 20))
           WHEN 'case.dispatched' THEN jsonb_build_object('state', 'answered',
               'dispatched_on', (bc.dispatched_at AT TIME ZONE 'Europe/Stockholm')::date, 'recipient', bc.sender_name)
           WHEN 'case.declined' THEN jsonb_build_object('state', 'declined',
               'reason', 'Nämnden avstår från att yttra sig eftersom remissen inte berör nämndens ansvarsområde.')
       END
FROM bc
CROSS JOIN LATERAL (
    SELECT array_remove(ARRAY[
               CASE WHEN bc.submitted THEN 'case.submitted' END,
               CASE WHEN bc.approved THEN 'case.approved' END,
               CASE WHEN bc.placed THEN 'case.placed_on_agenda' END,
               CASE WHEN bc.decided AND bc.delegation THEN 'case.decided_by_delegation'
                    WHEN bc.decided THEN 'case.decided' END,
               CASE WHEN bc.state = 'answered' THEN 'case.dispatched' END,
               CASE WHEN bc.state = 'declined' THEN 'case.declined' END], NULL) AS tail
) t
CROSS JOIN LATERAL (
    SELECT ord,
           CASE WHEN ord = 1 THEN 'case.registered'
                WHEN ord <= bc.s_end THEN
                    CASE WHEN ord = 2 THEN 'case.assigned'
                         WHEN bc.returned AND ord = bc.n_rev + 2 THEN 'case.submitted'
                         WHEN bc.returned AND ord = bc.n_rev + 3 THEN 'case.returned'
                         ELSE 'report.saved' END
                ELSE t.tail[ord - bc.s_end] END AS action
    FROM generate_series(1, bc.n_ev) ord
    -- Bresenham over the optional events, numbered 1.. across all cases.
    WHERE ord = 1 OR ord = bc.n_ev
       OR ((bc.opt_before + ord - 1) * :kept_optional) / greatest(:optional_events, 1)
          > ((bc.opt_before + ord - 2) * :kept_optional) / greatest(:optional_events, 1)
) e;

SELECT setval(pg_get_serial_sequence('audit_events', 'id'), (SELECT max(id) FROM audit_events));

\echo '== rebuilding indexes and constraints'
DO $$
DECLARE stmt text;
BEGIN
    FOR stmt IN SELECT create_stmt FROM bench_ddl ORDER BY phase LOOP
        EXECUTE stmt;
    END LOOP;
END $$;
CREATE TEMP VIEW bench_schema_now AS
    SELECT 'index' AS kind, indexname::text AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace;
SELECT pg_temp.fail('the indexes or constraints differ from those before the load')
WHERE EXISTS (SELECT * FROM bench_schema_before EXCEPT SELECT * FROM bench_schema_now)
   OR EXISTS (SELECT * FROM bench_schema_now EXCEPT SELECT * FROM bench_schema_before);

\echo '== checks'
DO $$
DECLARE bad bigint;
BEGIN
    -- Gapless numbering: every series ends at its number of cases.
    SELECT count(*) INTO bad FROM (
        SELECT organ_id, dnr_year, count(*) AS n, max(dnr_seq) AS top FROM cases GROUP BY organ_id, dnr_year
    ) s LEFT JOIN diarium_series d ON d.organ_id = s.organ_id AND d.year = s.dnr_year
    WHERE d.last_seq IS DISTINCT FROM s.top OR s.top <> s.n;
    IF bad > 0 THEN RAISE EXCEPTION '% diarium series are not gapless', bad; END IF;
    SELECT count(*) INTO bad FROM cases c
    WHERE c.state <> 'registered' AND c.state <> 'declined'
      AND NOT EXISTS (SELECT 1 FROM report_revisions r WHERE r.case_id = c.id);
    IF bad > 0 THEN RAISE EXCEPTION '% cases past registration have no report', bad; END IF;
    SELECT count(*) INTO bad FROM cases c
    WHERE c.state IN ('decided', 'answered') AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.case_id = c.id);
    IF bad > 0 THEN RAISE EXCEPTION '% decided cases have no decision', bad; END IF;
    SELECT count(*) INTO bad FROM cases c
    WHERE c.state = 'answered' AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.case_id = c.id);
    IF bad > 0 THEN RAISE EXCEPTION '% answered cases have no reply', bad; END IF;
END $$;

-- A sample of cases against refresh_search's own statement (src/db/reports.rs).
SELECT pg_temp.fail(count(*) || ' sampled cases have a search text other than refresh_search gives')
FROM (SELECT id, search FROM cases WHERE abs(hashtext(id::text)) % greatest(1, :cases / 2000) = 0) c
LEFT JOIN LATERAL (
    SELECT * FROM report_revisions WHERE case_id = c.id ORDER BY number DESC LIMIT 1
) r ON true
WHERE c.search IS DISTINCT FROM (
         setweight(to_tsvector('swedish', coalesce(r.title, '')), 'A')
         || setweight(to_tsvector('swedish', coalesce(r.summary, '') || ' ' || coalesce(r.proposals::text, '')), 'B')
         || setweight(to_tsvector('swedish', coalesce(r.preparation, '') || ' ' || coalesce(r.background, '')
                                          || ' ' || coalesce(r.considerations, '')), 'C')
         || setweight(to_tsvector('swedish', coalesce(
                (SELECT string_agg(d.decision_text || ' ' || d.reason, ' ') FROM decisions d WHERE d.case_id = c.id), '')), 'B'))
HAVING count(*) > 0;

\echo '== vacuum analyze'
DROP TABLE bc, br, bu, bo, bm;
VACUUM (ANALYZE);

\echo '== counts'
SELECT 'organs' AS "table", count(*) AS rows FROM organs
UNION ALL SELECT 'users', count(*) FROM users
UNION ALL SELECT 'user_roles', count(*) FROM user_roles
UNION ALL SELECT 'referrals', count(*) FROM referrals
UNION ALL SELECT 'cases', count(*) FROM cases
UNION ALL SELECT 'report_revisions', count(*) FROM report_revisions
UNION ALL SELECT 'reviews', count(*) FROM reviews
UNION ALL SELECT 'meetings', count(*) FROM meetings
UNION ALL SELECT 'agenda_items', count(*) FROM agenda_items
UNION ALL SELECT 'decisions', count(*) FROM decisions
UNION ALL SELECT 'replies', count(*) FROM replies
UNION ALL SELECT 'audit_events', count(*) FROM audit_events
UNION ALL SELECT 'database size (MB)', pg_database_size(current_database()) / 1048576;
SELECT state, count(*) FROM cases GROUP BY state ORDER BY count(*) DESC;
