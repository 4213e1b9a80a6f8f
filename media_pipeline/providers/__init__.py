"""The pipeline's providers: research, script, voice, visuals and assembly, each chosen by
settings (a hosted service when its key is set, an embedded default that works offline)."""
