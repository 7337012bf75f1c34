// electorctl — the operator and integrator CLI. The command tree is in CommandTree.swift; each group has its file.
await ElectorCtl.main()
