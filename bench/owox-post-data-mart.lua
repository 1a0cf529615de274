-- wrk script: POST /api/data-marts of OWOX Data Marts with a fixed body. Set by bench/peer-owox.sh:
-- STORAGE (a data storage id) in the environment. OWOX's local mode needs no token.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"Bench mart","storageId":"' .. os.getenv("STORAGE") .. '"}'
