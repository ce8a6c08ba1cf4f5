"""Churn drivers (placeholder while the page is built; replaced in the same change set)."""

import streamlit as st

st.title("Churn drivers")
st.info("This page is being built.")
