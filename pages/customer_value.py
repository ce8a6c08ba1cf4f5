"""Customer value (placeholder while the page is built; replaced in the same change set)."""

import streamlit as st

st.title("Customer value")
st.info("This page is being built.")
