export default definePageConfig({ navigationBarTitleText: 'miniapp-sdk' })
