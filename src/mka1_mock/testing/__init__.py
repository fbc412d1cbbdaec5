"""The test-facing doors: the ``Mka1Mock`` handle, its clients, the in-process transport, the server
thread and the pytest plugin. Imported lazily by the plugin, so a session that never uses the mock
pays nothing."""
