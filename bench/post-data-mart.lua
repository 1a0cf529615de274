-- wrk script: POST /v1/data-marts with a fixed body. Set by bench/api.sh:
-- TOKEN and STORAGE in the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"title":"Bench mart","storage_id":"' .. os.getenv("STORAGE") .. '"}'
