"""Health back-test (placeholder while the page is built; replaced in the same change set)."""

import streamlit as st

st.title("Health back-test")
st.info("This page is being built.")
