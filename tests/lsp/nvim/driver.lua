-- Drives headless Neovim for tests/lsp/test_neovim.py: loads the editor set-up under test,
-- opens each file, waits for its diagnostics, asks for the hover on the first one and writes what
-- Neovim received as JSON, then quits.
--
-- $MLDEPLOY_NVIM_PARAMS names a JSON file: {"config": path of the Lua set-up, "files": [paths],
-- "result": path to write, "exits": path to append one "code signal milliseconds" line per
-- server exit, "timeout_ms": how long to wait for each file's diagnostics}.

local params = vim.fn.json_decode(table.concat(vim.fn.readfile(vim.env.MLDEPLOY_NVIM_PARAMS), "\n"))
local quit_at = nil
local uv = vim.uv or vim.loop

-- Registered before vim.lsp is loaded, so it runs before the client's own exit handler.
vim.api.nvim_create_autocmd("VimLeavePre", {
  callback = function()
    quit_at = uv.hrtime()
  end,
})

-- Record how each server ends; nothing here may call vim.fn: on 0.7 on_exit runs in a libuv callback.
local function recording_exit(config)
  local recorded = vim.deepcopy(config)
  local previous = config.on_exit
  recorded.on_exit = function(code, signal, client_id)
    local elapsed = quit_at and math.floor((uv.hrtime() - quit_at) / 1e6) or -1
    local out = io.open(params.exits, "a")
    out:write(string.format("%d %d %d\n", code, signal, elapsed))
    out:close()
    if previous then
      previous(code, signal, client_id)
    end
  end
  -- The test bounds the shutdown itself; Neovim's default (500 ms, then SIGTERM) is tight on a busy machine.
  recorded.flags = vim.tbl_extend("force", recorded.flags or {}, { exit_timeout = 5000 })
  return recorded
end

local start, start_client = vim.lsp.start, vim.lsp.start_client
if start then
  vim.lsp.start = function(config, opts)
    return start(recording_exit(config), opts)
  end
end
vim.lsp.start_client = function(config)
  return start_client(recording_exit(config))
end

vim.lsp.set_log_level("debug")
dofile(params.config)

local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

local function received(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data or {}).lsp or {}
    out[#out + 1] = {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      message = d.message,
      source = d.source,
      -- Neovim 0.7 also keeps the LSP code in user_data.lsp.code; later versions only at the top.
      code = d.code or lsp.code,
      href = (d.codeDescription or lsp.codeDescription or {}).href,
    }
  end
  return out
end

-- The hover the server gives at the start of a diagnostic, as text; nil when none.
local function hover_at(bufnr, diagnostic)
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = diagnostic.lnum, character = diagnostic.col },
  }, params.timeout_ms)
  for _, response in pairs(responses or {}) do
    local contents = response.result and response.result.contents
    if type(contents) == "table" then
      return contents.value or vim.fn.json_encode(contents)
    elseif contents then
      return contents
    end
  end
  return nil
end

local function run()
  local result = { nvim = vim.version(), log = vim.lsp.get_log_path(), files = {}, servers = {} }
  for _, path in ipairs(params.files) do
    vim.cmd("edit " .. vim.fn.fnameescape(path))
    local bufnr = vim.api.nvim_get_current_buf()
    local arrived = vim.wait(params.timeout_ms, function()
      return #vim.diagnostic.get(bufnr) > 0
    end, 50)
    local attached = {}
    for _, client in ipairs(get_clients()) do
      if vim.lsp.buf_is_attached(bufnr, client.id) then
        attached[#attached + 1] = client.name
      end
    end
    result.files[#result.files + 1] = {
      path = path,
      filetype = vim.bo[bufnr].filetype,
      attached = attached,
      arrived = arrived,
      diagnostics = received(bufnr),
      hover = arrived and hover_at(bufnr, vim.diagnostic.get(bufnr)[1]) or vim.NIL,
    }
  end
  for _, client in ipairs(get_clients()) do
    result.servers[#result.servers + 1] = { name = client.name, pid = client.rpc and client.rpc.pid or vim.NIL }
  end
  return result
end

local ok, result = xpcall(run, debug.traceback)
if not ok then
  result = { error = result }
end
vim.fn.writefile({ vim.fn.json_encode(result) }, params.result)
vim.cmd(ok and "qall!" or "cquit!")
