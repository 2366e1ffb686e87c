"""Pure rules: functions over models, policies and an injected `now`; no I/O."""
