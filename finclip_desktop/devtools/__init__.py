"""The developer loop: app templates (`finclip new`), environment checks (`finclip doctor`)
and hot reload with devtools (`finclip dev`)."""
