# The documents section of scripts/bench (sourced by it; uses its helpers and
# settings). On a database of its own with the demo city, through the real routes,
# logged in as the demo's handläggare:
#   - the reference case's yttrande as PDF (decision, signatures and the
#     tjänsteutlåtande as bilaga: 3 pages) at 1 connection, nothing else running:
#     renderings per second and the time of one;
#   - the same at 8 connections: p99;
#   - the tjänsteutlåtande as PDF and the yttrande as DOCX at 1 connection;
#   - the server's memory before the first rendering and its peak (VmHWM) after all.
# Targets: under 50 ms a document, under 150 MB.

documents_connections=8

run_documents() {
  size=documents
  db=remiss_bench_documents
  local url
  url="$(db_url "$db")"
  log "documents: creating $db with the demo city"
  admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  db_oid="$(dbid "$db")"
  local port
  port="$(free_port 3900)"
  REMISS_ADDR="127.0.0.1:$port" DATABASE_URL="$url" "$bin/remiss" serve --demo \
    >"$run_dir/server-documents.log" 2>&1 &
  local server_pid=$!
  pids+=("$server_pid")
  base_url="http://127.0.0.1:$port"
  wait_http "$base_url/healthz"

  local case_id
  case_id="$(psql -X -q -At "$url" -c "SELECT c.id FROM cases c JOIN referrals r ON r.id = c.referral_id
      JOIN organs o ON o.id = c.organ_id
      WHERE r.title = 'Stockholms stads trygghetsprogram 2020-2023' AND o.diarium_prefix = 'AMN'")"
  [ -n "$case_id" ] || die "documents: the demo's reference case is missing"
  local saved_password=$password cookie token
  password=remiss-demo
  read -r cookie token <<<"$(login handlaggare)"
  password=$saved_password

  local reply="$base_url/arenden/$case_id/yttrande.pdf" answer
  answer="$(curl -s -o "$run_dir/yttrande.pdf" -w '%{http_code} %{content_type}' \
    -H "Cookie: remiss_session=$cookie" "$reply")"
  [ "$answer" = "200 application/pdf" ] || die "documents: the yttrande answered $answer"
  documents_pages="$(pdfinfo "$run_dir/yttrande.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')"
  documents_rss_before="$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status")"

  wait_for_quiet
  load_at_start[documents]="$(cut -d' ' -f1 /proc/loadavg)"
  log "documents: measuring (load average ${load_at_start[documents]})"
  local qpr saved_connections=$connections saved_threads=$threads
  qpr="$(queries_per_request "$(get_config "/arenden/$case_id/yttrande.pdf" "$cookie" "$qpr_requests")" "$qpr_requests")"
  connections=1 threads=1
  measure reply1 "yttrande PDF, 1 connection" "$reply" "$cookie" "$qpr" "$server_pid"
  connections=$documents_connections threads=2
  measure reply8 "yttrande PDF, $documents_connections connections" "$reply" "$cookie" "$qpr" "$server_pid"
  connections=1 threads=1
  measure report1 "tjänsteutlåtande PDF, 1 connection" "$base_url/arenden/$case_id/tjansteutlatande.pdf" \
    "$cookie" "$qpr" "$server_pid"
  measure replydocx1 "yttrande DOCX, 1 connection" "$base_url/arenden/$case_id/yttrande.docx" \
    "$cookie" "$qpr" "$server_pid"
  connections=$saved_connections threads=$saved_threads
  peak_rss[documents]="$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status")"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
}

documents_section() {
  echo "### Documents (the demo's reference case; server peak RSS ${peak_rss[documents]} MB)"
  echo
  echo "The yttrande is ${documents_pages:-?} pages (the decision, then the tjänsteutlåtande as bilaga); each request renders it anew (typst, PDF/UA-1 + PDF/A-2a), nothing cached between renderings. Renderings run on the blocking pool, one per core at a time. wrk -t1 -c1 (one rendering after another) and -t2 -c$documents_connections, ${duration} s each after ${warmup} s of warm-up; queries/req and CPU ms/req as above. Server RSS before the first rendering: ${documents_rss_before} MB. 1-minute load average when measuring began: ${load_at_start[documents]}."
  echo
  table documents
  echo
  awk -F'\t' -v peak="${peak_rss[documents]}" '$1 == "documents" && $2 == "reply1" {
      printf "- One yttrande under 50 ms (p50, 1 connection): %s\n", ($5 + 0 < 50 && $5 != "-") ? "met (" $5 " ms, " $4 " renderings/s)" : "**missed** (" $5 " ms)" }
    END { printf "- Server memory while rendering under 150 MB: %s\n", (peak + 0 < 150) ? "met (" peak " MB)" : "**missed** (" peak " MB)" }' "$results"
}
