"""Build-time compilers: WXML -> JS render functions, WXSS -> CSS, WXS -> JS modules."""
